"""The day-before reminder goes exactly once, also when two workers (the deferred task and the
daily job) want to send it at the same moment (issue 12, item 5)."""

import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection

from rathaus.appointments import services
from rathaus.appointments.models import Appointment

from .factories import NOW, confirmed, local, planned_office
from .mailbackends import FailingBackend, MeanwhileBackend, MeetingBackend

pytestmark = pytest.mark.django_db

REMINDER = "Erinnerung an Ihren Termin morgen"


def _booked_and_confirmed() -> tuple[Appointment, str]:
    """Given: a booking for Thursday whose confirmation went out on Tuesday; it and its start as
    the reminder task gets it."""
    appointment = confirmed(planned_office(), local(2026, 12, 3, 9))
    Appointment.objects.filter(pk=appointment.pk).update(confirmation_sent_at=NOW)
    appointment.refresh_from_db()
    return appointment, appointment.start.isoformat()


def _reminders() -> int:
    return sum(m.subject == REMINDER for m in mail.outbox)


def test_a_reminder_claimed_by_one_worker_is_not_sent_by_another(settings):
    """Before: the reminder was marked sent only after the e-mail had gone out, so a second worker
    running meanwhile found it unmarked and sent it again."""
    # given
    appointment, start = _booked_and_confirmed()
    settings.EMAIL_BACKEND = "rathaus.appointments.tests.mailbackends.MeanwhileBackend"
    meanwhile: list[bool] = []
    MeanwhileBackend.meanwhile[:] = [
        lambda: meanwhile.append(services.reminder_send(appointment_id=appointment.pk, start=start))
    ]
    # when: the first worker sends, and while its e-mail goes out the second one tries
    first = services.reminder_send(appointment_id=appointment.pk, start=start)
    # then
    assert (first, meanwhile) == (True, [False])
    assert _reminders() == 1
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is not None
    assert services.reminders_send_due(now=local(2026, 12, 2, 10)) == 0
    assert _reminders() == 1


def test_a_reminder_that_could_not_be_sent_is_sent_by_the_next_try(settings):
    """The claim is given back when the mail server fails, so the retry sends it (once)."""
    # given
    appointment, start = _booked_and_confirmed()
    settings.EMAIL_BACKEND = "rathaus.appointments.tests.mailbackends.FailingBackend"
    FailingBackend.failures = 1
    # when
    with pytest.raises(smtplib.SMTPException):
        services.reminders_send_due(now=local(2026, 12, 2, 10))
    # then
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is None
    assert services.reminders_send_due(now=local(2026, 12, 2, 10)) == 1
    assert services.reminders_send_due(now=local(2026, 12, 2, 10)) == 0
    assert _reminders() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_two_workers_send_a_reminder_once_on_postgresql(settings):
    """The deferred task and the daily job at the same moment, each on its own connection: one
    sends, the other finds the reminder claimed. The e-mail backend holds each sender until a
    second one arrives (or 3 seconds pass), so without the claim both would send."""
    # given
    appointment, start = _booked_and_confirmed()
    settings.EMAIL_BACKEND = "rathaus.appointments.tests.mailbackends.MeetingBackend"
    MeetingBackend.reset()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def worker(send) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes.append(send())
        except Exception as error:  # reported below, fails the test
            outcomes.append(error)
        finally:
            connection.close()

    workers = [
        threading.Thread(
            target=worker,
            args=(lambda: services.reminder_send(appointment_id=appointment.pk, start=start),),
        ),
        threading.Thread(
            target=worker, args=(lambda: services.reminders_send_due(now=local(2026, 12, 2, 10)),)
        ),
    ]
    # when
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    # then
    assert sorted(outcomes, key=str) == [0, True] or sorted(outcomes, key=str) == [1, False], outcomes
    assert _reminders() == 1
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is not None
