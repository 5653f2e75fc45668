"""Every link in the booking's e-mails and postbox notices is absolute and goes to the configured
site address, whichever channel made the booking (issue 20, finding 5: an API booking's
confirmation link read "/termine/bestaetigen/<token>/", without a host)."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from rathaus.accounts import services as account_services
from rathaus.appointments import notices, selectors, services, tokens
from rathaus.appointments.models import Appointment
from rathaus.kernel import notify

from .factories import planned_office

pytestmark = pytest.mark.django_db

SITE = "https://termine.bremen.example"
BASE = "/api/v1/appointments"
LINK = re.compile(r"\S*/termine/\S*")


@pytest.fixture
def site(settings):
    settings.RATHAUS_BASE_URL = SITE
    return SITE


def _links(body: str) -> list[str]:
    return LINK.findall(body)


def _assert_all_absolute_to_the_site(body: str, *, expected: int = 1) -> list[str]:
    links = _links(body)
    assert len(links) >= expected, body
    assert all(link.startswith(f"{SITE}/termine/") for link in links), links
    return links


def _api_headers() -> dict[str, str]:
    owner = get_user_model().objects.create_user(username="partnerportal", kind="organisation")
    _token, plaintext = account_services.api_token_issue(
        owner=owner, name="Partnerportal", scopes=["appointments:book"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _by_subject(subject: str) -> str:
    found = [m.body for m in mail.outbox if m.subject == subject]
    assert len(found) == 1, [m.subject for m in mail.outbox]
    return found[0]


def test_an_api_booking_mails_only_absolute_links_to_the_configured_site(
    client, site, django_capture_on_commit_callbacks
):
    """Verification, confirmation, reminder and cancellation of a booking made over the API."""
    # given: a booking three days ahead, reserved and given a contact over the API
    planned = planned_office(every_day=True, now=None)
    day = timezone.localdate() + datetime.timedelta(days=3)
    start = selectors.availability(office=planned.office, services=[planned.certify], day=day, limit=1)[
        0
    ].start
    headers = _api_headers()
    body = {"office_id": planned.office.pk, "service_ids": [planned.certify.pk], "start": start.isoformat()}
    with django_capture_on_commit_callbacks(execute=True):
        token = client.post(
            f"{BASE}/reservations",
            body,
            content_type="application/json",
            headers={"Idempotency-Key": "mail-links-1"},
            **headers,
        ).json()["token"]
        contact = client.post(
            f"{BASE}/bookings/{token}/contact",
            {"name": "Anna Becker", "email": "anna@example.org"},
            content_type="application/json",
            **headers,
        )
    assert contact.status_code == 200
    appointment = Appointment.objects.get()
    assert appointment.origin == ""  # the API records no origin; the links must not need one

    # then: the verification link is absolute, at the configured site, and works
    verify_link = _assert_all_absolute_to_the_site(_by_subject("Bitte bestätigen Sie Ihren Termin"))[0]
    assert verify_link == f"{SITE}/termine/bestaetigen/{tokens.verify_token(appointment)}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_verify(token=tokens.verify_token(appointment))
    manage = f"{SITE}/termine/t/{token}/"
    assert manage in _assert_all_absolute_to_the_site(_by_subject("Ihr Termin ist bestätigt"))

    # when the reminder goes out (the confirmation went out long enough before)
    Appointment.objects.filter(pk=appointment.pk).update(
        confirmation_sent_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert services.reminder_send(appointment_id=appointment.pk, start=start.isoformat())
    assert manage in _assert_all_absolute_to_the_site(_by_subject("Erinnerung an Ihren Termin morgen"))

    # and when it is cancelled over the API
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"{BASE}/bookings/{token}", **headers).json()["status"] == "cancelled"
    cancelled = _by_subject("Ihr Termin wurde storniert")
    assert _assert_all_absolute_to_the_site(cancelled) == [f"{SITE}/termine/"]


def test_a_web_booking_links_to_the_configured_site_not_to_the_host_it_was_booked_at(site):
    """The web form records its own origin; the e-mail still goes to the configured address."""
    planned = planned_office(every_day=True, now=None)
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0].start
    appointment, token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start, origin="http://intern.example:8080"
    )
    assert notices.manage_url(appointment) == f"{SITE}/termine/t/{token}/"


def test_postbox_notices_link_to_the_configured_site(site):
    planned = planned_office(every_day=True, now=None)
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0].start
    citizen = get_user_model().objects.create_user(username="buergerin", kind="citizen")
    appointment, _token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start, user=citizen
    )
    for notice in ("confirmed", "cancelled"):
        assert notices.postbox_deliver(appointment, notice=notice)
    bodies = [m.body for m in notify.postbox_messages(user=citizen)]
    assert len(bodies) == 2
    for body in bodies:
        _assert_all_absolute_to_the_site(body)


def test_without_a_configured_site_links_are_still_absolute(settings):
    """Development without RATHAUS_BASE_URL (production refuses to start so): the default address."""
    settings.RATHAUS_BASE_URL = ""
    planned = planned_office(every_day=True, now=None)
    start = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0].start
    appointment, token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=start
    )
    assert notices.manage_url(appointment) == f"http://127.0.0.1:8000/termine/t/{token}/"
