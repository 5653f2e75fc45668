import base64
import json
import re

import altcha
import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from rathaus.appointments import protection, selectors, tokens
from rathaus.appointments.models import Appointment
from rathaus.kernel import audit

from .factories import login_staff, make_staff, planned_office

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_protection(settings):
    settings.APPOINTMENTS_WAIT_SECONDS = 0
    settings.APPOINTMENTS_POW_MAX_NUMBER = 500


@pytest.fixture
def planned():
    return planned_office(every_day=True, now=None)


def _first_free(planned, service=None):
    return selectors.availability(office=planned.office, services=[service or planned.certify], limit=1)[0]


def _reserve(client, planned, *, ticket=None, pow_payload="", free=None, **extra):
    free = free or _first_free(planned)
    data = {
        "choice": free.choice,
        "services": str(planned.certify.pk),
        "pow": pow_payload,
        "ticket": protection.wait_ticket() if ticket is None else ticket,
        "form_token": tokens.form_token(),  # each call a new page
    }
    return client.post(reverse("appointments:reserve"), data, **extra)


def _solved_payload() -> str:
    challenge = protection.pow_challenge()
    solution = altcha.solve_challenge_v1(
        str(challenge["challenge"]), str(challenge["salt"]), "SHA-256", int(str(challenge["maxNumber"]))
    )
    assert solution is not None
    payload = {
        "algorithm": "SHA-256",
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


def _main(response) -> str:
    """The page's <main> (the rest carries a per-response CSRF token)."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _token_from(response) -> str:
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


def test_search_shows_free_times_with_the_proof_of_work_challenge_and_a_waiting_ticket(client, planned):
    response = client.get(reverse("appointments:search"), {"service": planned.certify.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert planned.office.name in html
    assert 'type="radio" name="choice"' in html
    assert 'data-pow-challenge="' in html and 'name="ticket" value="' in html
    assert "appointments/pow.js" in html


def test_search_with_a_same_second_service_is_an_error(client, planned):
    response = client.get(
        reverse("appointments:search"), {"service": planned.certify.pk, "service2": planned.certify.pk}
    )
    assert response.status_code == 400
    assert "Bitte korrigieren Sie Ihre Eingaben" in response.content.decode()


def test_booking_journey_without_javascript(client, planned, settings, django_capture_on_commit_callbacks):
    """Waiting ticket → reservation → name and e-mail → link from the e-mail → confirmed with code."""
    settings.RATHAUS_BASE_URL = "http://testserver"  # where the e-mail's links go (kernel.urls)
    response = _reserve(client, planned)
    assert response.status_code == 302
    token = _token_from(response)
    page = client.get(reverse("appointments:manage", args=[token]))
    assert "Bestätigungslink senden" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:contact", args=[token]),
            {"name": "Anna Becker", "email": "anna@example.org"},
        )
    assert response.status_code == 302
    assert "Bitte prüfen Sie Ihr E-Mail-Postfach" in client.get(response["Location"]).content.decode()
    link = re.search(r"http://testserver(/termine/bestaetigen/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200  # shows a button; a mail scanner's GET confirms nothing
    assert Appointment.objects.get().status == Appointment.Status.PRECONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED
    page = client.get(response["Location"]).content.decode()
    assert appointment.code in page
    ics = client.get(reverse("appointments:ics", args=[token]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert mail.outbox[-1].attachments[0][0] == "termin.ics"


def test_verification_link_used_twice_shows_invalid_link(client, planned):
    """Tried: the verification link posted a second time after confirming."""
    token = _token_from(_reserve(client, planned))
    client.post(reverse("appointments:contact", args=[token]), {"name": "Anna", "email": "anna@example.org"})
    appointment = Appointment.objects.get()
    link = reverse("appointments:verify", args=[tokens.verify_token(appointment)])
    assert client.post(link).status_code == 302
    again = client.post(link)
    assert again.status_code == 404
    assert "Link ungültig" in again.content.decode()
    assert client.get(link).status_code == 404


def test_too_young_waiting_ticket_asks_to_wait(client, planned, settings):
    """Tried: submitting without JavaScript right after the page loaded."""
    settings.APPOINTMENTS_WAIT_SECONDS = 30
    response = _reserve(client, planned)
    assert response.status_code == 200
    assert "Bitte kurz warten" in response.content.decode()
    assert not Appointment.objects.exists()


def test_solved_proof_of_work_reserves_and_counts_once(client, planned):
    """Tried: the same solved challenge twice, without a waiting ticket."""
    payload = _solved_payload()
    assert _reserve(client, planned, ticket="", pow_payload=payload).status_code == 302
    replay = _reserve(client, planned, ticket="", pow_payload=payload)
    assert replay.status_code == 400
    assert Appointment.objects.count() == 1


def test_forged_proof_of_work_is_not_accepted(client, planned):
    payload = json.loads(base64.b64decode(_solved_payload()))
    payload["number"] += 1
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    assert _reserve(client, planned, ticket="", pow_payload=forged).status_code == 400
    assert not Appointment.objects.exists()


def test_a_thousand_bookings_from_one_client_are_throttled_with_retry_after(client, planned, settings):
    """Tried: 1,000 reservations from one address; after 10 every answer is 429 with Retry-After.
    (The window is made long so that a slow run cannot cross a window boundary.)"""
    settings.APPOINTMENTS_RESERVE_RATE = (10, 10**9)
    free = _first_free(planned)
    statuses = []
    retry_after = set()
    for _ in range(1000):
        response = _reserve(client, planned, free=free)
        statuses.append(response.status_code)
        if response.status_code == 429:
            retry_after.add(int(response["Retry-After"]))
    assert statuses.count(429) == 990
    assert retry_after and all(seconds > 0 for seconds in retry_after)
    assert Appointment.objects.count() <= 2  # one time, two counters


def test_foreign_or_forged_cancel_link_reveals_nothing(client, planned):
    """Tried: cancelling with a link that has a real appointment number but a wrong MAC; the answer is
    the same 404 as for an appointment number that does not exist, and nothing changes."""
    token = _token_from(_reserve(client, planned))
    appointment = Appointment.objects.get()
    forged = f"{appointment.pk}-{'A' * 43}"
    missing = f"{appointment.pk + 1000}-{'A' * 43}"
    one = client.post(reverse("appointments:cancel", args=[forged]))
    other = client.post(reverse("appointments:cancel", args=[missing]))
    assert one.status_code == other.status_code == 404
    assert _main(one) == _main(other)
    assert appointment.code not in one.content.decode()
    assert client.get(reverse("appointments:manage", args=[forged])).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.RESERVED
    assert client.post(reverse("appointments:cancel", args=[token]), {"confirm": "yes"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED


def test_move_page_moves_a_confirmed_appointment(client, planned, django_capture_on_commit_callbacks):
    token = _token_from(_reserve(client, planned))
    client.post(reverse("appointments:contact", args=[token]), {"name": "Anna", "email": "anna@example.org"})
    appointment = Appointment.objects.get()
    client.post(reverse("appointments:verify", args=[tokens.verify_token(appointment)]))
    page = client.get(reverse("appointments:move", args=[token]))
    assert page.status_code == 200
    target = selectors.availability(office=planned.office, services=[planned.certify], limit=5)[-1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("appointments:move", args=[token]), {"start": target.start.isoformat()}
        )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == target.start
    assert mail.outbox[-1].subject == "Ihr Termin wurde verschoben"


def test_citizen_account_confirms_directly(client, planned):
    citizen = get_user_model().objects.create_user(
        username="anna", kind="citizen", email="anna@example.org", first_name="Anna", last_name="Becker"
    )
    client.force_login(citizen, backend="rathaus.accounts.backends.OidcBackend")
    token = _token_from(_reserve(client, planned))
    page = client.get(reverse("appointments:manage", args=[token])).content.decode()
    assert "Mit meinem Bürgerkonto verbindlich buchen" in page
    client.post(reverse("appointments:confirm-account", args=[token]))
    appointment = Appointment.objects.get()
    assert (appointment.status, appointment.user, appointment.name) == (
        Appointment.Status.CONFIRMED,
        citizen,
        "Anna Becker",
    )


def test_contact_form_rejects_header_injection(client, planned):
    """Tried: a name with CR/LF and a second header; the form shows the error, no e-mail goes out."""
    token = _token_from(_reserve(client, planned))
    response = client.post(
        reverse("appointments:contact", args=[token]),
        {"name": "Anna\r\nBcc: victim@example.org", "email": "anna@example.org"},
    )
    assert response.status_code == 400
    assert "Bitte ohne Zeilenumbrüche." in response.content.decode()
    assert mail.outbox == []


def test_staff_desk_checks_in_calls_and_the_call_display_shows_the_number(client, planned):
    clerk = make_staff(planned.office)
    login_staff(client, clerk)
    counter = planned.office.counters.first()
    walk_in = client.post(
        reverse("appointments:staff-walk-in"),
        {"dienststelle": planned.office.pk, "service": planned.certify.pk},
    )
    assert walk_in.status_code == 302
    day = client.get(reverse("appointments:staff"), {"dienststelle": planned.office.pk})
    assert day.status_code == 200 and "W001" in day.content.decode()
    assert audit.AuditEntry.objects.filter(action="office.read", actor_id=str(clerk.pk)).exists()
    client.post(
        reverse("appointments:staff-call"), {"dienststelle": planned.office.pk, "counter": counter.pk}
    )
    assert Appointment.objects.get().status == Appointment.Status.CALLED
    display = client.get(reverse("appointments:call-display", args=[planned.office.slug]))
    html = display.content.decode()
    assert "W001" in html and counter.name in html and 'hx-trigger="every 5s"' in html
    partial = client.get(
        reverse("appointments:call-display", args=[planned.office.slug]), HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode() and "W001" in partial.content.decode()
    stats = client.get(reverse("appointments:staff-statistics"), {"dienststelle": planned.office.pk})
    assert stats.status_code == 200 and "<svg" in stats.content.decode()


def test_staff_check_in_by_code(client):
    """Today's confirmed appointment is checked in by its code (typed in lower case) and gets a number."""
    from django.utils import timezone

    from .factories import confirmed

    planned = planned_office(every_day=True, now=None, min_lead_minutes=0)
    free = _first_free(planned)
    if free.day != timezone.localdate():
        pytest.skip("no unit left today (the last quarter of an hour before midnight)")
    appointment = confirmed(planned, free.start, now=timezone.now())
    clerk = make_staff(planned.office)
    login_staff(client, clerk)
    client.post(
        reverse("appointments:staff-check-in"),
        {"dienststelle": planned.office.pk, "code": appointment.code.lower()},
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CHECKED_IN
    assert appointment.queue_number == "T001"
    unknown = client.post(
        reverse("appointments:staff-check-in"),
        {"dienststelle": planned.office.pk, "code": "XXXX-XXXX"},
        follow=True,
    )
    assert "Zu diesem Buchungscode gibt es heute keinen" in unknown.content.decode()


def test_staff_pages_need_a_staff_login(client, planned):
    response = client.get(reverse("appointments:staff"))
    assert response.status_code == 302 and "/anmelden/" in response["Location"]


def test_search_at_an_office_that_does_not_offer_the_service_says_so_and_links_offices_that_do(client):
    """Not "no times free, released every morning": the office does not do it at all."""
    from rathaus.appointments import services

    offering = planned_office(every_day=True, now=None)
    other = planned_office(every_day=True, now=None)
    services.offer_upsert(office=other.office, service=other.certify, duration_minutes=10, active=False)
    response = client.get(
        reverse("appointments:search"), {"service": offering.certify.pk, "office": other.office.pk}
    )
    assert response.status_code == 200
    html = _main(response)
    assert "Diese Leistung wird hier nicht angeboten" in html
    assert "jeden Morgen" not in html
    assert 'name="choice"' not in html
    link = f"?service={offering.certify.pk}&amp;office={offering.office.pk}"
    assert link in html
    assert (
        client.get(link.replace("&amp;", "&").join([reverse("appointments:search"), ""])).status_code == 200
    )


def test_search_for_a_service_nobody_books_online_explains_instead_of_a_bare_choice_error(client, planned):
    from rathaus.directory.models import Service

    walk_in_only = Service.objects.create(leika_key="99115004000000", name="Meldebescheinigung beantragen")
    response = client.get(reverse("appointments:search"), {"service": walk_in_only.pk})
    assert response.status_code == 400
    html = _main(response)
    assert "Diese Leistung kann derzeit nicht online gebucht werden." in html
    assert "gültige Auswahl" not in html


def test_call_display_is_a_full_screen_board_without_site_header_staff_controls_or_names(client, planned):
    """Seen in a clerk's logged-in browser on the waiting room's screen: still no header, no logout."""
    from rathaus.appointments import services

    clerk = make_staff(planned.office)
    login_staff(client, clerk)
    services.walk_in_create(office=planned.office, services=[planned.certify], by=clerk)
    services.walk_in_create(office=planned.office, services=[planned.certify], by=clerk)
    counters = list(planned.office.counters.order_by("name"))
    services.call_next(office=planned.office, counter=counters[0], by=clerk)
    services.call_next(office=planned.office, counter=counters[1], by=clerk)
    services.walk_in_create(office=planned.office, services=[planned.certify], by=clerk)
    html = client.get(reverse("appointments:call-display", args=[planned.office.slug])).content.decode()
    # The latest call large, the one before in the list, and how many still wait.
    assert '<p class="app-call-latest__number">W002</p>' in html
    assert f"bitte zu {counters[1].name}" in html
    assert "W001" in html and "1 Person wartet" in html
    # A page of its own: no site header, navigation, logout or staff forms; no names.
    assert 'class="app-header"' not in html
    assert "Abmelden" not in html and "<form" not in html and "<nav" not in html
    assert clerk.full_name not in html and planned.certify.name not in html
    # Live: htmx polls; without JavaScript the page reloads itself.
    assert 'hx-trigger="every 5s"' in html
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in html
    assert "appointments/call_display.css" in html
