"""The database itself keeps a confirmed appointment's claims (issue 20, ``claim_guard``): not a
check in Python, so a write that bypasses the services is refused too. On both databases."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from rathaus.appointments import services, tokens
from rathaus.appointments.models import Appointment, Slot, SlotClaim
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.management.commands.flush import ordered

from .factories import NOW, confirmed, local, planned_office

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def planned():
    return planned_office()


def _refused(write) -> str:
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    return str(refused.value)


@pytest.mark.django_db
def test_a_confirmed_appointments_claims_cannot_be_deleted(planned):
    booked = confirmed(planned, local(2026, 12, 2, 9), service=planned.passport)
    assert booked.claims.count() == 2
    assert "appointments_claim_guard" in _refused(
        lambda: SlotClaim.objects.filter(appointment=booked).delete()
    )
    with connection.cursor() as cursor:
        one = booked.claims.first().pk
        _refused(lambda: cursor.execute("DELETE FROM appointments_slotclaim WHERE id = %s", [one]))
        other = Slot.objects.filter(counter_id=booked.counter_id, start=local(2026, 12, 3, 9)).get()
        _refused(lambda: SlotClaim.objects.filter(pk=one).update(slot=other))
    assert booked.claims.count() == 2
    # Checked in, the visitor still owns the units.
    services.appointment_check_in(
        office=planned.office, code=booked.code, by=None, now=local(2026, 12, 2, 8, 50)
    )
    _refused(lambda: SlotClaim.objects.filter(appointment=booked).delete())


@pytest.mark.django_db
def test_an_appointment_cannot_be_confirmed_without_all_its_claims(planned):
    hold, _token = services.appointment_reserve(
        office=planned.office, services=[planned.passport], start=local(2026, 12, 2, 9), now=NOW
    )
    # A hold's claims may go (that is how it lapses) ...
    hold.claims.order_by("slot__start").last().delete()
    # ... but then it cannot become a booking: one of its two units is missing.
    _refused(lambda: Appointment.objects.filter(pk=hold.pk).update(status=Appointment.Status.CONFIRMED))
    SlotClaim.objects.filter(appointment=hold).delete()
    _refused(lambda: Appointment.objects.filter(pk=hold.pk).update(status=Appointment.Status.CONFIRMED))
    assert Appointment.objects.get(pk=hold.pk).status == Appointment.Status.RESERVED


@pytest.mark.django_db
def test_a_confirmed_appointment_cannot_take_a_time_whose_units_it_does_not_hold(planned):
    booked = confirmed(planned, local(2026, 12, 2, 9))
    _refused(lambda: Appointment.objects.filter(pk=booked.pk).update(start=local(2026, 12, 2, 10)))
    # Walk-ins hold no units; the guard is for online bookings.
    walk_in = services.walk_in_create(office=planned.office, services=[planned.certify], by=None, now=NOW)
    assert walk_in.claims.count() == 0


@pytest.mark.django_db
def test_cancel_move_and_lapse_pass_the_guard(planned):
    """The services change the status (or the time) first, then let the old claims go."""
    booked = confirmed(planned, local(2026, 12, 2, 9), service=planned.passport)
    moved = services.appointment_move(appointment=booked, start=local(2026, 12, 3, 10), now=NOW)
    assert sorted(moved.claims.values_list("slot__start", flat=True)) == [
        local(2026, 12, 3, 10),
        local(2026, 12, 3, 10, 15),
    ]
    services.appointment_cancel(appointment=moved, now=NOW)
    assert not SlotClaim.objects.filter(appointment=moved).exists()
    hold, _token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 4, 9), now=NOW
    )
    assert services.holds_release_lapsed(now=NOW + 11 * MINUTE) == 1
    assert not SlotClaim.objects.filter(appointment=hold).exists()


@pytest.mark.django_db
def test_a_refusal_of_the_guard_is_a_conflict_with_a_german_message_not_an_error(planned):
    hold, _token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=local(2026, 12, 2, 9), now=NOW
    )
    hold = services.appointment_preconfirm(
        appointment=hold, name="Anna Becker", email="a@example.org", now=NOW
    )
    SlotClaim.objects.filter(appointment=hold).delete()  # behind the services' back
    with pytest.raises(Conflict) as refused:
        services.appointment_verify(token=tokens.verify_token(hold), now=NOW + MINUTE)
    assert refused.value.code == "booking_changed"
    assert "nicht gespeichert" in refused.value.message
    assert Appointment.objects.get(pk=hold.pk).status == Appointment.Status.PRECONFIRMED


def test_a_sqlite_flush_empties_parent_tables_before_their_children():
    """SQLite's flush deletes table by table; a claim's appointment must go first, or the guard
    refuses (the order of Django's own flush is that of a set: it changes from run to run)."""
    statements = [
        'DELETE FROM "appointments_slotclaim";',
        'UPDATE "sqlite_sequence" SET "seq" = 0 WHERE "name" IN (\'x\');',
        'DELETE FROM "appointments_slot";',
        'DELETE FROM "appointments_appointment";',
    ]
    result = ordered(statements)
    assert result.index('DELETE FROM "appointments_appointment";') < result.index(
        'DELETE FROM "appointments_slotclaim";'
    )
    assert result.index('DELETE FROM "appointments_slot";') < result.index(
        'DELETE FROM "appointments_slotclaim";'
    )
    assert result[-1].startswith("UPDATE")


@pytest.mark.django_db(transaction=True)
def test_flush_empties_a_database_with_confirmed_appointments():
    planned = planned_office()
    confirmed(planned, local(2026, 12, 2, 9))
    call_command("flush", interactive=False, verbosity=0)
    assert not Appointment.objects.exists()
    assert not SlotClaim.objects.exists()
