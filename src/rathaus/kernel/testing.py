"""Test support shared by the apps' test suites (imported by tests only).

``sqlite_file_copy``: the SQLite test database lives in memory, shared-cache, so threads cannot
write to it concurrently at all. Race tests on SQLite therefore copy it to a file database with
the embedded settings (WAL, ``BEGIN IMMEDIATE``) and run their threads in a child process.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["run_module", "sqlite_file_copy"]


@contextmanager
def sqlite_file_copy() -> Iterator[Path]:
    """Copy the current (SQLite) test database to ``<tmp>/rathaus.sqlite3``; yields ``<tmp>``."""
    from django.db import connection

    with tempfile.TemporaryDirectory(prefix="rathaus-race-") as tmp:
        target = sqlite3.connect(Path(tmp) / "rathaus.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        yield Path(tmp)


def run_module(module: str, args: list[str], *, var_dir: Path, timeout: int = 300) -> str:
    """Run ``python -m module args`` with the test settings on the file database in ``var_dir``;
    returns its last line of output (fails the test with its stderr if it fails)."""
    env = {
        **os.environ,
        "RATHAUS_VAR_DIR": str(var_dir),
        "DATABASE_URL": "",
        "DJANGO_SETTINGS_MODULE": "rathaus.config.settings.test",
    }
    child = subprocess.run(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", module, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    return child.stdout.strip().splitlines()[-1]
