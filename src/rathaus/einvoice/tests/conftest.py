from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, User
from rathaus.directory.models import Office


@pytest.fixture(autouse=True)
def _keep_language():
    """A request in English activates English for the thread; later tests must not inherit it."""
    with translation.override(translation.get_language()):
        yield


LEITWEG_ID = "04011000-12348-91"  # BT-10 of the official reference invoice 01.04a


def suite_file(name: str) -> bytes:
    path = Path(settings.EINVOICE_STANDARDS_DIR) / "testsuite" / "xrechnung-testsuite" / name
    if not path.is_file():
        pytest.skip(f"official XRechnung test suite not found in {settings.EINVOICE_STANDARDS_DIR}")
    return path.read_bytes()


@pytest.fixture(autouse=True)
def _clear_cache():
    """The API's rate counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ubl() -> bytes:
    return suite_file("business-cases/standard/01.04a-INVOICE_ubl.xml")


@pytest.fixture
def cii() -> bytes:
    return suite_file("business-cases/standard/01.04a-INVOICE_uncefact.xml")


@pytest.fixture
def office(db) -> Office:
    return Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)


def make_supplier(name: str = "Bürobedarf Nord GmbH") -> User:
    organisation = account_services.organisation_create(name=name, kind=Organisation.Kind.COMPANY)
    return User.objects.create_user(
        username=name.split()[0].lower(), kind=User.Kind.ORGANISATION, organisation=organisation
    )


@pytest.fixture
def supplier(db) -> User:
    return make_supplier()


@pytest.fixture
def configuration() -> Path:
    """The official KoSIT configuration in ../shared (skipped where it is missing)."""
    path = Path(settings.EINVOICE_STANDARDS_DIR) / "kosit-validator-configuration"
    if not (path / "scenarios.xml").is_file():
        pytest.skip("official KoSIT configuration not found")
    return path
