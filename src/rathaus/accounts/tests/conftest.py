import pytest
from django.core.cache import cache

ADAPTER = "rathaus.accounts.tests.transport.DjangoTestClientAdapter"
# The password and TOTP secret of the ``staff`` fixture's login.
STAFF_PASSWORD = "Weserpromenade-1827"
STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


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


@pytest.fixture
def staff(db):
    """A clerk of a new office, "m.ahlers", with ``STAFF_PASSWORD`` and a confirmed TOTP device."""
    from rathaus.accounts import services
    from rathaus.accounts.models import StaffRole

    from .factories import make_office

    return services.staff_user_create(
        username="m.ahlers",
        full_name="Marta Ahlers",
        password=STAFF_PASSWORD,
        office=make_office(),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=STAFF_TOTP_SECRET,
    )
