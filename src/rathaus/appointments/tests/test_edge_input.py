"""Hostile input at the edge of the Terminvergabe answers 400/404 (page) or a problem (API), never
500, and stores nothing (issue 11, finding 5); office administrators do not read personal data of
appointments (finding 6)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole
from rathaus.appointments import protection, selectors, tokens
from rathaus.appointments.models import Appointment

from .factories import PASSWORD, confirmed, login_staff, make_staff, planned_office
from .test_api import BASE, _auth

pytestmark = pytest.mark.django_db

HUGE = str(10**23)


@pytest.fixture(autouse=True)
def _fast_protection(settings):
    settings.APPOINTMENTS_WAIT_SECONDS = 0
    settings.APPOINTMENTS_POW_MAX_NUMBER = 500


@pytest.fixture
def planned():
    return planned_office(every_day=True, now=None)


def _free(planned):
    return selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0]


@pytest.mark.parametrize("pk", ["²", "٣", "¹²", HUGE, "-1", "+1", " 1", "0"])
@pytest.mark.parametrize("route", ["manage", "contact", "cancel", "move", "ics", "verify"])
def test_forged_token_is_404_not_500(client, pk, route):
    token = f"{pk}-{'A' * 43}"
    url = reverse(f"appointments:{route}", args=[token])
    response = client.post(url) if route == "contact" else client.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "choice_office",
    ["²", "٣", HUGE, "-1", "+1", " 1"],
)
def test_reserve_with_hostile_office_id_is_400_without_login(client, planned, choice_office):
    free = _free(planned)
    _office_id, _sep, start = free.choice.partition("|")
    data = {
        "choice": f"{choice_office}|{start}",
        "services": str(planned.certify.pk),
        "ticket": protection.wait_ticket(),
        "form_token": tokens.form_token(),
    }
    response = client.post(reverse("appointments:reserve"), data)
    assert response.status_code == 400
    assert "Bitte wählen Sie einen Termin." in response.content.decode()
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("services", ["²", "٣", HUGE, f"{HUGE},1", "-5", "1e3"])
def test_reserve_with_hostile_service_ids_is_400(client, planned, services):
    data = {
        "choice": _free(planned).choice,
        "services": services,
        "ticket": protection.wait_ticket(),
        "form_token": tokens.form_token(),
    }
    response = client.post(reverse("appointments:reserve"), data)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"])
def test_reserve_at_the_end_of_time_is_400(client, planned, start):
    data = {
        "choice": f"{planned.office.pk}|{start}",
        "services": str(planned.certify.pk),
        "ticket": protection.wait_ticket(),
        "form_token": tokens.form_token(),
    }
    response = client.post(reverse("appointments:reserve"), data)
    assert response.status_code in (400, 409)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"service": HUGE},
        {"service": "-1"},
        {"service": "²"},
        {"service": "1", "service2": HUGE},
        {"service": "1", "office": HUGE},
        {"service": "1", "day": "9999-12-31"},
        {"service": "1", "day": "0001-01-01"},
        {"service": "1", "day": "2026-02-30"},
    ],
)
def test_search_with_hostile_query_is_400(client, planned, query):
    if query["service"] == "1":
        query = {**query, "service": planned.certify.pk}
        if "day" in query:
            query["office"] = planned.office.pk
    response = client.get(reverse("appointments:search"), query)
    assert response.status_code == 400


@pytest.fixture
def booked(planned):
    free = _free(planned)
    return confirmed(planned, free.start, now=free.start - datetime.timedelta(days=1))


@pytest.mark.parametrize("tag", ["9999-12-31", "0001-01-01", "²", "2026-02-30"])
def test_move_page_with_far_or_impossible_day_is_400(client, booked, tag):
    url = reverse("appointments:move", args=[tokens.link_token(booked)])
    response = client.get(url, {"tag": tag})
    assert response.status_code == 400
    assert "Der Tag" in response.content.decode()


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00", "²", "2026-02-30"]
)
def test_move_to_an_impossible_time_is_400_and_changes_nothing(client, booked, start):
    url = reverse("appointments:move", args=[tokens.link_token(booked)])
    response = client.post(url, {"start": start})
    assert response.status_code == 400
    before = booked.start
    booked.refresh_from_db()
    assert booked.start == before and booked.status == Appointment.Status.CONFIRMED


@pytest.mark.parametrize(
    "query",
    [
        {"service": HUGE},
        {"service": "-1"},
        {"service": "²"},
        {"service": "1", "office": "x", "day": "9999-12-31"},
        {"service": "1", "day": "0001-01-01"},
    ],
)
def test_api_availability_with_hostile_query_is_a_problem(client, planned, query):
    if query["service"] == "1":
        query = {**query, "service": planned.certify.pk}
        if "office" in query:
            query["office"] = planned.office.slug
    response = client.get(f"{BASE}/availability", query)
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {"office_id": int(HUGE)},
        {"office_id": -1},
        {"service_ids": [int(HUGE)]},
        {"start": "9999-12-31T23:59:59+00:00"},
        {"start": "0001-01-01T00:00:00+00:00"},
    ],
)
def test_api_reservation_with_hostile_body_is_a_problem(client, planned, body):
    data = {
        "office_id": planned.office.pk,
        "service_ids": [planned.certify.pk],
        "start": _free(planned).start.isoformat(),
        **body,
    }
    response = client.post(
        f"{BASE}/reservations", data, content_type="application/json", **_auth(), HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/problem+json")
    assert not Appointment.objects.exists()


# Staff pages -------------------------------------------------------------------------------


@pytest.fixture
def clerk(client, planned):
    return login_staff(client, make_staff(planned.office))


@pytest.mark.parametrize(
    "param",
    [
        {"tag": "9999-12-31"},
        {"tag": "0001-01-01"},
        {"tag": "²"},
        {"dienststelle": HUGE},
        {"dienststelle": "٣"},
    ],
)
def test_day_list_with_hostile_query_is_400(clerk, param):
    response = clerk.get(reverse("appointments:staff"), param)
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


@pytest.mark.parametrize("bis", ["9999-12-31", "0001-01-01", "²"])
def test_statistics_with_far_day_is_400(clerk, bis):
    response = clerk.get(reverse("appointments:staff-statistics"), {"bis": bis})
    assert response.status_code == 400


@pytest.mark.parametrize("counter", [HUGE, "-1", "²", "x", " 1"])
def test_call_with_hostile_counter_is_400(clerk, counter):
    response = clerk.post(reverse("appointments:staff-call"), {"counter": counter})
    assert response.status_code == 400


def test_call_with_unknown_counter_is_404(clerk):
    assert clerk.post(reverse("appointments:staff-call"), {"counter": str(2**62)}).status_code == 404


@pytest.mark.parametrize("tag", ["2026-12-01\r\nX-Injected: y", "²", "9999-12-31"])
def test_outcome_with_hostile_day_is_400_and_records_nothing(clerk, booked, tag):
    response = clerk.post(reverse("appointments:staff-outcome", args=[booked.pk]), {"tag": tag})
    assert response.status_code == 400
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CONFIRMED


@pytest.mark.parametrize("appointment_id", [2**63, 10**30])
def test_outcome_for_a_huge_id_is_404(clerk, appointment_id):
    url = reverse("appointments:staff-outcome", args=[1]).replace("/1/", f"/{appointment_id}/")
    assert clerk.post(url).status_code == 404


@pytest.mark.parametrize(
    "route,method",
    [
        ("appointments:staff", "get"),
        ("appointments:staff-statistics", "get"),
        ("appointments:staff-check-in", "post"),
        ("appointments:staff-walk-in", "post"),
        ("appointments:staff-call", "post"),
    ],
)
def test_office_admin_does_not_read_the_day_list(client, planned, route, method):
    """Finding 6: administrators manage logins; names and booking codes are for working roles."""
    admin = account_services.staff_user_create(
        username="terminadmin", full_name="Amt Admin", password=PASSWORD, office=planned.office, role="admin"
    )
    assert StaffRole.objects.filter(user=admin, role=StaffRole.Role.ADMIN).exists()
    login_staff(client, admin)
    response = getattr(client, method)(reverse(route))
    assert response.status_code == 403
    assert not selectors.staff_offices(admin)


def test_clerk_still_reads_the_day_list(clerk, booked):
    # The day in Bremen: a slot at 00:30 local time lies on the previous day in UTC.
    day = timezone.localdate(booked.start)
    response = clerk.get(reverse("appointments:staff"), {"tag": day.isoformat()})
    assert response.status_code == 200
    assert "Anna Becker" in response.content.decode()


@pytest.mark.parametrize("name", ["Anna\x00Becker", "\u200b\u200b"])
def test_api_contact_refuses_nul_and_invisible_names(client, planned, name):
    headers = _auth()
    body = {
        "office_id": planned.office.pk,
        "service_ids": [planned.certify.pk],
        "start": _free(planned).start.isoformat(),
    }
    token = client.post(
        f"{BASE}/reservations", body, content_type="application/json", **headers, HTTP_IDEMPOTENCY_KEY="k-1"
    ).json()["token"]
    response = client.post(
        f"{BASE}/bookings/{token}/contact",
        {"name": name, "email": "anna@example.org"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/problem+json")
    assert Appointment.objects.get().name == ""
