"""Writes of an office's planning: the plan, counters, weekly hours, day exceptions and offered
services, and the units (slots) they give.

Every change is audited (target: the office) and drops the office's cached plan once its
transaction has committed: dropped earlier, a reader could cache the old rows again before the
change is visible (see ``selectors.plan_forget``). ``planning_row_save`` and
``planning_row_delete`` are the admin's way in; they also top up the office's units after the
change, so a new counter or a reopened day can be booked at once.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, TypeAlias

from django.db import transaction
from django.utils import timezone

from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import schedule
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import selectors
from ..models import Counter, OfferedService, OfficePlan, OpeningException, OpeningHours, Slot
from ._common import By, free_units_changed

PlanningRow: TypeAlias = OfficePlan | Counter | OpeningHours | OpeningException | OfferedService

_SAVED = {
    OfficePlan: "appointments.plan_saved",
    Counter: "appointments.counter_saved",
    OpeningHours: "appointments.hours_saved",
    OpeningException: "appointments.exception_saved",
    OfferedService: "appointments.offer_saved",
}
_REMOVED = {
    OpeningHours: "appointments.hours_removed",
    OpeningException: "appointments.exception_removed",
    OfferedService: "appointments.offer_removed",
}


def _forget_on_commit(office: Office) -> None:
    transaction.on_commit(lambda: selectors.plan_forget(office))


@transaction.atomic
def plan_upsert(*, office: Office, by: By | None = None, **values: Any) -> OfficePlan:
    """Create or change the office's planning (fields of ``OfficePlan``)."""
    plan, created = OfficePlan.objects.get_or_create(office=office, defaults=values)
    if not created:
        for name, value in values.items():
            setattr(plan, name, value)
        plan.save()
    _forget_on_commit(office)
    audit.record(
        actor=by,
        action="appointments.plan_saved",
        target=office,
        details={k: str(v) for k, v in values.items()},
    )
    return plan


@transaction.atomic
def counter_ensure(*, office: Office, name: str, by: By | None = None) -> Counter:
    """The office's counter ``name``, created (and audited) when it does not exist."""
    counter, created = Counter.objects.get_or_create(office=office, name=name)
    if created:
        audit.record(actor=by, action="appointments.counter_saved", target=office, details={"counter": name})
    return counter


@transaction.atomic
def opening_hours_set(
    *,
    office: Office,
    hours: Sequence[tuple[int, datetime.time, datetime.time]],
    by: By | None = None,
) -> None:
    """Replace the office's weekly hours by ``hours`` (weekday, opens, closes)."""
    OpeningHours.objects.filter(office=office).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(office=office, weekday=w, opens=o, closes=c) for w, o, c in hours
    )
    _forget_on_commit(office)
    audit.record(
        actor=by,
        action="appointments.hours_set",
        target=office,
        details={"hours": [[w, str(o), str(c)] for w, o, c in hours]},
    )


def _drop_free_units(office: Office, day: datetime.date) -> None:
    """Remove the day's units that nobody claimed (booked ones stay, for staff to rebook)."""
    start = selectors.day_start(day)
    Slot.objects.filter(
        office=office, start__gte=start, start__lt=start + datetime.timedelta(days=1), claim__isnull=True
    ).delete()
    free_units_changed()


@transaction.atomic
def opening_exception_add(
    *,
    office: Office,
    day: datetime.date,
    reason: str,
    opens: datetime.time | None = None,
    closes: datetime.time | None = None,
    by: By | None = None,
) -> OpeningException:
    """Close the office on ``day`` (no times) or open it only ``opens``–``closes``.

    Units of that day that nobody booked are removed; booked ones stay for staff to
    rebook (they are listed in the day list).
    """
    exception = OpeningException.objects.create(
        office=office, day=day, reason=reason, closed=opens is None, opens=opens, closes=closes
    )
    _drop_free_units(office, day)
    _forget_on_commit(office)
    audit.record(
        actor=by,
        action="appointments.exception_added",
        target=office,
        details={"day": day.isoformat(), "reason": reason},
    )
    return exception


@transaction.atomic
def offer_upsert(
    *,
    office: Office,
    service: Service,
    duration_minutes: int,
    buffer_minutes: int = 0,
    active: bool = True,
    by: By | None = None,
) -> OfferedService:
    """Offer ``service`` online at ``office`` with its time at the counter (or change the offer)."""
    values = {"duration_minutes": duration_minutes, "buffer_minutes": buffer_minutes, "active": active}
    offer, _ = OfferedService.objects.update_or_create(office=office, service=service, defaults=values)
    _forget_on_commit(office)
    audit.record(
        actor=by,
        action="appointments.offer_saved",
        target=office,
        details={"service": service.pk, **{k: str(v) for k, v in values.items()}},
    )
    return offer


def slots_generate(*, office: Office, now: datetime.datetime | None = None, extra_days: int = 7) -> int:
    """Create the units of every active counter from today until ``extra_days`` past the release
    horizon (so a release only makes existing rows visible); existing rows are kept. Returns
    how many rows were asked for."""
    now = now or timezone.now()
    plan_row = OfficePlan.objects.filter(office=office).first()
    if plan_row is None:
        return 0
    local_now = selectors.local_naive(now)
    plan = selectors.domain_plan(office, plan_row, since=local_now.date())
    first = local_now.date()
    last = schedule.last_released_day(plan, local_now) + datetime.timedelta(days=extra_days)
    holidays = selectors.holidays_for(first, last)
    counters = list(Counter.objects.filter(office=office, active=True))
    rows: list[Slot] = []
    day = first
    while day <= last:
        for start, end in schedule.day_units(plan, day, holidays):
            start_aware, end_aware = selectors.aware(start), selectors.aware(end)
            rows.extend(Slot(office=office, counter=c, start=start_aware, end=end_aware) for c in counters)
        day += datetime.timedelta(days=1)
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    free_units_changed()
    return len(rows)


# --- The admin's way in: one planning row as a person edited it ------------------------------


def _values(row: PlanningRow) -> dict[str, str]:
    return {f.attname: str(getattr(row, f.attname)) for f in row._meta.concrete_fields if not f.primary_key}


def _changes(stored: PlanningRow | None, row: PlanningRow) -> dict[str, list[str]]:
    """Field by field, [old, new] of what differs from the stored row (all fields of a new one)."""
    old = _values(stored) if stored is not None else {}
    return {name: [old.get(name, ""), new] for name, new in _values(row).items() if old.get(name) != new}


def _top_up_on_commit(office: Office) -> None:
    transaction.on_commit(lambda: slots_generate(office=office))


@transaction.atomic
def planning_row_save(*, row: PlanningRow, by: By | None) -> PlanningRow:
    """Store a planning row as a person edited it (new or changed), audited with each changed
    field's old and new value. The office of a stored row stays what it is. A day exception
    removes the day's free units as ``opening_exception_add`` does; after the commit the office's
    units are topped up (``slots_generate``) and its cached plan is dropped."""
    stored = type(row)._default_manager.select_for_update().filter(pk=row.pk).first() if row.pk else None
    if stored is not None and stored.office_id != row.office_id:
        raise InvalidInput(
            "Die Dienststelle eines Planungseintrags lässt sich nicht ändern.", code="planning_office_fixed"
        )
    changes = _changes(stored, row)
    row.save()
    if isinstance(row, OpeningException):
        _drop_free_units(row.office, row.day)
    audit.record(
        actor=by,
        action=_SAVED[type(row)],
        target=row.office,
        details={"row": row.pk, "new": stored is None, "changes": changes},
    )
    _forget_on_commit(row.office)
    _top_up_on_commit(row.office)
    return row


@transaction.atomic
def planning_row_delete(*, row: PlanningRow, by: By | None) -> None:
    """Remove a weekly interval, a day exception or an offer, audited with what it said. An
    office's plan and its counters are not deleted (units and bookings hang on them): switch
    them off instead (``active``)."""
    if isinstance(row, OfficePlan | Counter):
        raise Conflict(
            "Terminplanung und Schalter werden nicht gelöscht; schalten Sie sie stattdessen ab.",
            code="planning_not_deletable",
        )
    office, pk, was = row.office, row.pk, _values(row)
    row.delete()
    audit.record(actor=by, action=_REMOVED[type(row)], target=office, details={"row": pk, "was": was})
    _forget_on_commit(office)
    _top_up_on_commit(office)
