"""The crash suite (issue 11, suite 3): real worker processes killed with SIGKILL. Runs in
``make test`` on the database the suite runs on (SQLite, or PostgreSQL with DATABASE_URL);
``-m "not crash"`` leaves it out."""

import pytest

from .harness import crashes


def pytest_configure(config):
    config.addinivalue_line("markers", "crash: kills real processes with SIGKILL (tests/crash/)")


@pytest.fixture
def scenario(transactional_db, tmp_path):
    with crashes(tmp_path) as started:
        yield started
