"""Writes that record what the citizen was sent: the confirmation's time, and the day-before
reminder, which goes exactly once.

Two workers may want to send the same reminder: the task deferred at confirmation and the
daily job (``reminders_send_due``, the safety net). Each first claims the reminder with one
conditional UPDATE (``... SET reminder_sent_at = now WHERE reminder_sent_at IS NULL``), which
the database runs under the row's write lock, on PostgreSQL and SQLite alike: one of them
changes the row and sends, the other changes nothing and sends nothing. The lock lasts only
that statement; the e-mail goes out after it. If sending fails the claim is given back, so the
task's retry (or the next daily run) sends it; a worker that dies between claim and sending
leaves the reminder unsent (at most once, never twice). Decision 0083.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .. import notices, selectors
from ..models import Appointment


def confirmation_send(*, appointment_id: int, moved: bool = False) -> Appointment | None:
    """Send the confirmation of a confirmed appointment and record when it went out (a reminder
    waits for it); None, and nothing sent, when the appointment is no longer confirmed."""
    appointment = selectors.appointment_for_mail(appointment_id)
    if appointment is None or appointment.status != Appointment.Status.CONFIRMED:
        return None
    notices.mail_confirmation(appointment, moved=moved)
    # The same start only: a move in between needs its own confirmation first.
    Appointment.objects.filter(pk=appointment.pk, start=appointment.start).update(
        confirmation_sent_at=timezone.now()
    )
    return appointment


def reminder_send(*, appointment_id: int, start: str) -> bool:
    """Send the reminder unless the appointment moved away from ``start`` (ISO), was cancelled or
    reminded already, or its confirmation has not gone out (long enough) before
    (``notices.reminder_wanted``). True when this call sent it."""
    appointment = selectors.appointment_for_mail(appointment_id)
    if (
        appointment is None
        or appointment.status != Appointment.Status.CONFIRMED
        or appointment.reminder_sent_at is not None
        or appointment.start is None
        or appointment.start.isoformat() != start
        or not notices.reminder_wanted(appointment)
    ):
        return False
    claimed_at = timezone.now()
    claimed = Appointment.objects.filter(
        pk=appointment.pk,
        status=Appointment.Status.CONFIRMED,
        start=appointment.start,
        reminder_sent_at__isnull=True,
    ).update(reminder_sent_at=claimed_at)
    if not claimed:
        return False  # another worker has it
    try:
        notices.mail_reminder(appointment)
    except Exception:
        Appointment.objects.filter(pk=appointment.pk, reminder_sent_at=claimed_at).update(
            reminder_sent_at=None
        )
        raise
    return True


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the reminder for every confirmed appointment of tomorrow not yet reminded (cron safety
    net beside the deferred tasks); returns how many were sent."""
    now = now or timezone.now()
    lower = selectors.day_start(timezone.localdate(now) + datetime.timedelta(days=1))
    due = (
        Appointment.objects.filter(
            status=Appointment.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            start__gte=lower,
            start__lt=lower + datetime.timedelta(days=1),
        )
        .exclude(email="")
        .values_list("pk", "start")
    )
    sent = 0
    for pk, start in due:
        if start is not None:
            sent += reminder_send(appointment_id=pk, start=start.isoformat())
    return sent
