"""What the booking tells the citizen: the e-mails, the iCalendar file (RFC 5545) that goes with
them, the copies of confirmation, move and cancellation in a logged-in citizen's postbox, and
when the day-before reminder is due.

Composing and sending only: no database writes. The services decide when something is sent and
record it (``confirmation_sent_at``, ``reminder_sent_at``); the retried background tasks live in
``mails``.

The appointment's time and place are not administrative content, so they may travel by
e-mail; the personal link gives access only to the appointment itself. Subjects are fixed
texts (never user input), and addresses were validated as e-mail addresses without line
breaks before they got here, so no header can be injected.
"""

from __future__ import annotations

import datetime

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from rathaus.kernel import notify, urls

from . import tokens
from .models import Appointment

ICS_PRODID = "-//Rathaus Bremen//Terminvergabe//DE"
# The reminder goes at 10:00 the day before; a confirmation sent less than this before then is
# reminder enough.
REMINDER_MIN_GAP = datetime.timedelta(hours=12)


def ics_for(appointment: Appointment, *, cancelled: bool = False) -> bytes:
    """One VEVENT for the appointment; UID stays the same when it moves, SEQUENCE counts changes."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", ICS_PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = icalendar.Event()
    office = appointment.office
    event.add("uid", f"{appointment.code}@rathaus-terminvergabe")
    event.add("dtstamp", timezone.now())
    # Local time with its TZID (and a VTIMEZONE below), as calendar programs show it.
    event.add("dtstart", timezone.localtime(appointment.start))
    event.add("dtend", timezone.localtime(appointment.end))
    services = ", ".join(s.name for s in appointment.services.all())
    event.add("summary", f"Termin {office.name}: {services}")
    place = f"{office.postal_code} {office.city}".strip()
    location = ", ".join(filter(None, [office.name, office.street_address, place]))
    event.add("location", location)
    event.add("description", f"Buchungscode: {appointment.code}")
    event.add("sequence", appointment.revision)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _send(
    appointment: Appointment,
    *,
    template: str,
    subject: str,
    context: dict[str, object],
    ics: bytes | None = None,
) -> None:
    if not appointment.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(template, {"appointment": appointment, **context})
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [appointment.email])
    if ics is not None:
        message.attach("termin.ics", ics, "text/calendar")
    message.send(fail_silently=False)


def manage_url(appointment: Appointment) -> str:
    """The personal link, at the configured site address (``kernel.urls``) however it was booked."""
    return urls.absolute(reverse("appointments:manage", args=[tokens.link_token(appointment)]))


def search_url() -> str:
    """Where a new appointment is booked (in the cancellation)."""
    return urls.absolute(reverse("appointments:search"))


def mail_verification(appointment: Appointment) -> None:
    """The e-mail with the link that confirms the booking."""
    url = urls.absolute(reverse("appointments:verify", args=[tokens.verify_token(appointment)]))
    _send(
        appointment,
        template="appointments/mail/verify.txt",
        subject="Bitte bestätigen Sie Ihren Termin",
        context={"verify_url": url},
    )


def mail_confirmation(appointment: Appointment, *, moved: bool = False) -> None:
    """The confirmation (or, after a move, the new time) with the calendar file."""
    subject = "Ihr Termin wurde verschoben" if moved else "Ihr Termin ist bestätigt"
    _send(
        appointment,
        template="appointments/mail/confirmed.txt",
        subject=subject,
        context={"manage_url": manage_url(appointment), "moved": moved},
        ics=ics_for(appointment),
    )


def mail_cancellation(appointment: Appointment) -> None:
    """The cancellation with a cancelling calendar file."""
    _send(
        appointment,
        template="appointments/mail/cancelled.txt",
        subject="Ihr Termin wurde storniert",
        context={"search_url": search_url()},
        ics=ics_for(appointment, cancelled=True),
    )


def mail_reminder(appointment: Appointment) -> None:
    """The day-before reminder with the calendar file."""
    _send(
        appointment,
        template="appointments/mail/reminder.txt",
        subject="Erinnerung an Ihren Termin morgen",
        context={"manage_url": manage_url(appointment)},
        ics=ics_for(appointment),
    )


def has_postbox(appointment: Appointment) -> bool:
    """Whether the booking belongs to a citizen's account, whose postbox gets a copy of each notice."""
    return appointment.user is not None and getattr(appointment.user, "kind", "") == "citizen"


POSTBOX_NOTICES = {
    "confirmed": ("Ihr Termin ist bestätigt", "appointments/mail/confirmed.txt"),
    "moved": ("Ihr Termin wurde verschoben", "appointments/mail/confirmed.txt"),
    "cancelled": ("Ihr Termin wurde storniert", "appointments/mail/cancelled.txt"),
}


def postbox_deliver(appointment: Appointment, *, notice: str) -> bool:
    """Put ``notice`` ("confirmed", "moved", "cancelled") into the citizen's postbox, inside the
    caller's transaction; False when the booking has no citizen account. No e-mail notice: where
    the account has an address, the booking's own e-mail goes there anyway."""
    if appointment.user is None or not has_postbox(appointment):
        return False
    subject, template = POSTBOX_NOTICES[notice]
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            template,
            {
                "appointment": appointment,
                "postbox": True,
                "moved": notice == "moved",
                "manage_url": manage_url(appointment),
                "search_url": search_url(),
            },
        )
    notify.postbox_send(
        recipient=appointment.user,
        subject=subject,
        body=body,
        sender_label=appointment.office.name,
        notify_by_email=False,
    )
    return True


def reminder_due_at(start: datetime.datetime) -> datetime.datetime:
    """10:00 local time on the day before ``start``."""
    local = timezone.localtime(start)
    day_before = local.date() - datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day_before, datetime.time(10, 0)))


def reminder_wanted(appointment: Appointment) -> bool:
    """A reminder only after the confirmation went out, and only when that was at least
    ``REMINDER_MIN_GAP`` before the reminder is due: a booking made shortly before has just had
    its confirmation, and a reminder then (or, worse, before it) only confuses."""
    sent = appointment.confirmation_sent_at
    if sent is None or appointment.start is None:
        return False
    return reminder_due_at(appointment.start) - sent >= REMINDER_MIN_GAP
