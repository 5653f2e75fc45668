import pytest
from django.core.cache import cache

ADAPTER = "rathaus.accounts.tests.transport.DjangoTestClientAdapter"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttling counters and OIDC metadata live in the cache; each test starts clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def idp_in_process(settings):
    """Route the relying party's server-to-server calls to the demo IdP in this process."""
    settings.OIDC_RP_HTTP_ADAPTERS = {"http://testserver/": ADAPTER}
    settings.OIDC_OP_ISSUER = ""
    settings.DEMO_IDP_ENABLED = True
    return settings
