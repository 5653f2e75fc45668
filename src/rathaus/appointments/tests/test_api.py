import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model

from rathaus.accounts import services as account_services
from rathaus.appointments import selectors
from rathaus.appointments.models import Appointment
from rathaus.kernel.models import IdempotencyRecord

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


def _reserve(client, planned, start, headers, *, key: str | None = ""):
    """A reservation; ``key`` its Idempotency-Key (default: a new one, None: none)."""
    body = {"office_id": planned.office.pk, "service_ids": [planned.certify.pk], "start": start}
    if key is not None:
        headers = {**headers, "HTTP_IDEMPOTENCY_KEY": key or str(uuid.uuid4())}
    return client.post(f"{BASE}/reservations", body, content_type="application/json", **headers)


def _free_starts(planned, count=1):
    frees = selectors.availability(office=planned.office, services=[planned.certify], limit=count)
    return [free.start.isoformat() for free in frees]


def test_services_and_availability_need_no_token(client, planned):
    services = client.get(f"{BASE}/services").json()
    assert planned.certify.name in [s["name"] for s in services]
    free = client.get(f"{BASE}/availability", {"service": planned.certify.pk}).json()
    assert free[0]["office_slug"] == planned.office.slug
    at_office = client.get(
        f"{BASE}/availability", {"service": planned.certify.pk, "office": planned.office.slug}
    )
    assert len(at_office.json()) == 100


def test_availability_across_offices_is_the_documented_json_and_follows_a_booking(
    client, django_capture_on_commit_callbacks
):
    """Across offices the answer is served from the cache as the JSON body itself: the same
    document as at one office (fields, ISO times), and a reservation committed meanwhile is gone
    from the next answer (decision 0097)."""
    with django_capture_on_commit_callbacks(execute=True):
        planned = planned_office(counters=1, every_day=True, now=None)  # one unit per start
        across = client.get(f"{BASE}/availability", {"service": planned.certify.pk})
    assert across.status_code == 200 and across["Content-Type"].startswith("application/json")
    first = across.json()
    at_office = client.get(
        f"{BASE}/availability", {"service": planned.certify.pk, "office": planned.office.slug}
    ).json()
    assert first == at_office[:3]
    assert set(first[0]) == {"office_id", "office_slug", "office_name", "start", "end"}
    assert client.get(f"{BASE}/availability", {"service": planned.certify.pk}).json() == first
    with django_capture_on_commit_callbacks(execute=True):
        reserved = _reserve(client, planned, first[0]["start"], _auth())
    assert reserved.status_code == 201, reserved.content
    after = client.get(f"{BASE}/availability", {"service": planned.certify.pk}).json()
    assert first[0]["start"] not in [free["start"] for free in after]


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
    reserve = paths["/api/v1/appointments/reservations"]["post"]
    header = [p for p in reserve["parameters"] if p["in"] == "header" and p["name"] == "Idempotency-Key"]
    assert header and header[0]["required"] is True
    assert "idempotency_key_reused" in reserve["responses"]["422"]["description"]


def test_a_reservation_repeated_with_its_idempotency_key_is_the_same_hold(client, planned):
    """Issue 20, finding 3: the API took no idempotency key, so a reservation sent again (after
    its answer was lost) made a second hold. Now the same key and body get the first answer."""
    headers = _auth()
    start, later = _free_starts(planned, 2)
    first = _reserve(client, planned, start, headers, key="portal-42")
    again = _reserve(client, planned, start, headers, key="portal-42")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1
    token = again.json()["token"]
    assert client.get(f"{BASE}/bookings/{token}", **headers).json()["status"] == "reserved"
    # The personal token is the only handle on the booking: it is not stored with the answer.
    assert token not in IdempotencyRecord.objects.get().response
    other = _reserve(client, planned, later, headers, key="portal-42")
    assert other.status_code == 422
    assert other.json()["type"] == "urn:rathaus:problem:idempotency_key_reused"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize("key", [None, " ", "k" * 201])
def test_a_reservation_without_a_usable_idempotency_key_is_a_problem(client, planned, key):
    response = _reserve(client, planned, _free_starts(planned)[0], _auth(), key=key)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:rathaus:problem:idempotency_key_missing"
    assert not Appointment.objects.exists()


def test_a_failed_reservation_may_be_retried_with_the_same_key(client, planned):
    """A refusal is not stored: the same key tries again (here: the time was taken meanwhile)."""
    headers = _auth()
    start = _free_starts(planned)[0]
    holds = [_reserve(client, planned, start, headers) for _ in range(2)]  # both counters
    taken = _reserve(client, planned, start, headers, key="retry-me")
    assert taken.status_code == 409 and taken.json()["type"] == "urn:rathaus:problem:slot_taken"
    assert client.delete(f"{BASE}/bookings/{holds[0].json()['token']}", **headers).status_code == 200
    assert _reserve(client, planned, start, headers, key="retry-me").status_code == 201
