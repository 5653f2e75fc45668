"""The booking's e-mails as retried background tasks (``kernel.tasks``).

The services enqueue them by name once their transaction has committed (``rathaus.appointments
.mails.<task>``), so the services need not import this module, which calls them back for the
writes: the confirmation's and the reminder's "sent" marks. What the e-mails say is in
``notices``.
"""

from __future__ import annotations

from django.utils import timezone

from rathaus.kernel.tasks import rathaus_task

from . import notices, selectors, services
from .models import Appointment


@rathaus_task(retries=5, backoff_seconds=60)
def send_verification(*, appointment_id: int) -> None:
    appointment = selectors.appointment_for_mail(appointment_id)
    if appointment is None or appointment.status != Appointment.Status.PRECONFIRMED:
        return
    notices.mail_verification(appointment)


@rathaus_task(retries=5, backoff_seconds=60)
def send_confirmation(*, appointment_id: int, moved: bool = False) -> None:
    """The confirmation; once it went out, the day-before reminder is deferred to its due time."""
    appointment = services.confirmation_send(appointment_id=appointment_id, moved=moved)
    if appointment is not None:
        _schedule_reminder(appointment)


@rathaus_task(retries=5, backoff_seconds=60)
def send_cancellation(*, appointment_id: int) -> None:
    appointment = selectors.appointment_for_mail(appointment_id)
    if appointment is None or appointment.status != Appointment.Status.CANCELLED:
        return
    notices.mail_cancellation(appointment)


@rathaus_task(retries=3, backoff_seconds=300)
def send_reminder(*, appointment_id: int, start: str) -> None:
    """The day-before reminder, deferred to ``notices.reminder_due_at`` after the confirmation."""
    services.reminder_send(appointment_id=appointment_id, start=start)


def _schedule_reminder(appointment: Appointment) -> None:
    """Defer the reminder to its due time; none when that is too close (the confirmation, sent now,
    is reminder enough; ``notices.reminder_wanted`` checks again when it is due)."""
    if appointment.start is None or not send_reminder.get_backend().supports_defer:
        return  # e.g. the immediate backend in tests: ``reminders_send_due`` (cron) sends them
    due = notices.reminder_due_at(appointment.start)
    if due - timezone.now() < notices.REMINDER_MIN_GAP:
        return
    send_reminder.using(run_after=due).enqueue(
        appointment_id=appointment.pk, start=appointment.start.isoformat()
    )
