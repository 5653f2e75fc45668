import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _fresh_state():
    """Rate-limit counters and used proofs live in the cache; every test starts without them."""
    cache.clear()
    with translation.override(translation.get_language()):
        yield
    cache.clear()
