import datetime

import pytest
from django.contrib.auth import get_user_model

from rathaus.accounts import services as account_services
from rathaus.appointments import selectors
from rathaus.appointments.models import Appointment

from .factories import planned_office

pytestmark = pytest.mark.django_db

BASE = "/api/v1/appointments"


@pytest.fixture
def planned():
    return planned_office(every_day=True, now=None)


def _auth(scopes=("appointments:book",)):
    owner = get_user_model().objects.create_user(username=f"portal{len(scopes)}", kind="organisation")
    _token, plaintext = account_services.api_token_issue(
        owner=owner, name="Partnerportal", scopes=list(scopes)
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _reserve(client, planned, start, headers):
    body = {"office_id": planned.office.pk, "service_ids": [planned.certify.pk], "start": start}
    return client.post(f"{BASE}/reservations", body, content_type="application/json", **headers)


def test_services_and_availability_need_no_token(client, planned):
    services = client.get(f"{BASE}/services").json()
    assert planned.certify.name in [s["name"] for s in services]
    free = client.get(f"{BASE}/availability", {"service": planned.certify.pk}).json()
    assert free[0]["office_slug"] == planned.office.slug
    at_office = client.get(
        f"{BASE}/availability", {"service": planned.certify.pk, "office": planned.office.slug}
    )
    assert len(at_office.json()) == 100


def test_unknown_service_or_office_is_a_problem_document(client, planned):
    """Tried: a service id that does not exist and an office slug that does not exist."""
    response = client.get(f"{BASE}/availability", {"service": 999999})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:rathaus:problem:service_unknown"
    response = client.get(f"{BASE}/availability", {"service": planned.certify.pk, "office": "gibt-es-nicht"})
    assert response.json()["type"] == "urn:rathaus:problem:office_unknown"


def test_booking_needs_a_token_with_the_booking_scope(client, planned):
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[
        0
    ].start.isoformat()
    assert _reserve(client, planned, start, {}).status_code == 401
    assert _reserve(client, planned, start, _auth(scopes=("efile:read",))).status_code == 403


def test_reserve_contact_read_and_cancel_over_the_api(client, planned):
    headers = _auth()
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[
        0
    ].start.isoformat()
    created = [_reserve(client, planned, start, headers) for _ in range(3)]
    assert [r.status_code for r in created] == [201, 201, 409]
    assert created[2].json()["type"] == "urn:rathaus:problem:slot_taken"
    token = created[0].json()["token"]
    contact = client.post(
        f"{BASE}/bookings/{token}/contact",
        {"name": "Anna Becker", "email": "anna@example.org"},
        content_type="application/json",
        **headers,
    )
    assert contact.status_code == 200 and contact.json()["status"] == "preconfirmed"
    assert client.get(f"{BASE}/bookings/{token}", **headers).json()["code"] is None
    cancelled = client.delete(f"{BASE}/bookings/{token}", **headers)
    assert cancelled.json()["status"] == "cancelled"
    assert Appointment.objects.filter(status=Appointment.Status.CANCELLED).count() == 1


def test_bad_bookings_over_the_api_are_problem_documents(client, planned):
    """Tried: a start in the past, one without time zone, header injection in the name, a foreign token."""
    headers = _auth()
    past = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)).isoformat()
    response = _reserve(client, planned, past, headers)
    assert response.status_code == 422 and response.json()["type"] == "urn:rathaus:problem:slot_past"
    naive = _reserve(client, planned, "2030-01-07T09:00:00", headers)
    assert naive.status_code == 422
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[
        0
    ].start.isoformat()
    token = _reserve(client, planned, start, headers).json()["token"]
    injected = client.post(
        f"{BASE}/bookings/{token}/contact",
        {"name": "Anna\r\nBcc: victim@example.org", "email": "anna@example.org"},
        content_type="application/json",
        **headers,
    )
    assert injected.status_code == 422
    pk = token.split("-")[0]
    foreign = client.get(f"{BASE}/bookings/{pk}-{'A' * 43}", **headers)
    assert foreign.status_code == 404 and foreign.json()["type"] == "urn:rathaus:problem:booking_not_found"


def test_openapi_documents_the_appointment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/appointments/availability", "/api/v1/appointments/reservations"} <= set(paths)
