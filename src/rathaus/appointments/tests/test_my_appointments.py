"""The citizen's own appointments ("Meine Termine" in Mein Konto): which are listed, from when on,
and what reading them costs."""

import itertools

import pytest

from rathaus.appointments import selectors
from rathaus.appointments.models import Appointment

from .factories import NOW, confirmed, local, make_citizen, planned_office

pytestmark = pytest.mark.django_db
_emails = (f"person{n}@example.org" for n in itertools.count(1))


def _booked(planned, hour: int, minute: int = 0, **changes) -> Appointment:
    """A confirmed appointment, then changed as given (times, owner, status, kind). The database
    refuses to move a confirmed appointment off its claimed slots (``claim_guard``), so a moved one
    is written as checked in, which lists the same."""
    appointment = confirmed(planned, local(2026, 12, 1, hour, minute), email=next(_emails))
    Appointment.objects.filter(pk=appointment.pk).update(**changes)
    return Appointment.objects.get(pk=appointment.pk)


def test_the_citizens_appointments_from_the_start_of_today_in_bremen(django_assert_num_queries):
    """Listed from midnight in Bremen (23:00 UTC the day before, in winter), soonest first: one that
    ended half an hour after midnight is still listed, one that ended half an hour before it is not;
    cancelled ones, walk-ins and other people's are not. Office and services come along."""
    planned = planned_office(every_day=True)
    citizen = make_citizen()
    checked_in = Appointment.Status.CHECKED_IN
    after_midnight = _booked(planned, 11, user=citizen, status=checked_in, start=local(2026, 12, 1, 0, 15),
                             end=local(2026, 12, 1, 0, 30))  # fmt: skip
    _booked(planned, 11, 15, user=citizen, status=checked_in, start=local(2026, 11, 30, 23, 0),
            end=local(2026, 11, 30, 23, 30))  # fmt: skip
    ahead = _booked(planned, 12, user=citizen)
    _booked(planned, 12, 30, user=citizen, status=Appointment.Status.CANCELLED)
    _booked(planned, 13, user=citizen, kind=Appointment.Kind.WALK_IN)
    _booked(planned, 13, 30, user=make_citizen())
    with django_assert_num_queries(2):  # the appointments with their offices, their services
        found = selectors.citizen_appointments(user=citizen, now=NOW)
        names = [(a.office.name, [s.name for s in a.services.all()]) for a in found]
    assert [a.pk for a in found] == [after_midnight.pk, ahead.pk]
    assert names == [(planned.office.name, [planned.certify.name])] * 2
    assert found[0].office.street_address == "Markt 1"
    assert found[0].office.slug == planned.office.slug  # not read along: loaded when asked for


def test_no_appointments_cost_one_query(django_assert_num_queries):
    citizen = make_citizen()
    with django_assert_num_queries(1):
        assert selectors.citizen_appointments(user=citizen, now=NOW) == []
