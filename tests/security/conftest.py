"""Shared fixtures of the cross-app security suite (runs in ``make test``, no browser)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and rate windows live in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _keep_language():
    """Requests activate a language; leave German active for the next test."""
    from django.utils import translation

    yield
    translation.activate("de")
