import pytest
from django.utils import translation

from rathaus.directory.models import Office, Service
from rathaus.payments.tests.factories import citizen_login, make_citizen, setup_payments

LEIKA = "99050012104000"


@pytest.fixture(autouse=True)
def _keep_language():
    with translation.override("de"):
        yield


@pytest.fixture
def trade_office(db):
    setup_payments()
    office = Office.objects.create(slug="ordnungsamt", name="Ordnungsamt Bremen")
    service = Service.objects.create(
        leika_key=LEIKA, name="Gewerbeanmeldung", slug="gewerbe-anmelden", status=Service.Status.PUBLISHED
    )
    service.offices.add(office)
    return office


@pytest.fixture
def citizen(client, trade_office):
    user = make_citizen()
    citizen_login(client, user)
    return user
