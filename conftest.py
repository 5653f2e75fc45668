"""Fixtures for every test (src/ and tests/)."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit and throttling counters (kept in the
    cache, per client address, and every test client is 127.0.0.1) must not leak from one test
    into the next, nor cached page fragments rendered under another test's settings."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["fragments"].clear()
    yield
