"""Reads of the Terminvergabe.

Public: ``domain_plan``, ``holidays_for``, ``bookable_services``, ``offices_for_services``,
``offered_for``, ``availability``, ``earliest_across_offices``, ``appointment_for_mail``,
``day_list``, ``waiting_queue``, ``call_display``, ``office_statistics``, ``staff_offices``.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rathaus.directory.models import Office, Service
from rathaus.domain.appointments import schedule, stats

from .models import (
    Appointment,
    Counter,
    OfferedService,
    OfficePlan,
    OpeningException,
    OpeningHours,
    Slot,
)

MAX_SCAN_ROWS = 3000


def local_naive(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def aware(local: datetime.datetime) -> datetime.datetime:
    return timezone.make_aware(local)


@functools.lru_cache(maxsize=16)
def _holidays(years: tuple[int, ...]) -> dict[datetime.date, str]:
    return schedule.bremen_holidays(years)


def holidays_for(*days: datetime.date) -> dict[datetime.date, str]:
    years = tuple(sorted({d.year for d in days} | {d.year + 1 for d in days}))
    return _holidays(years)


def domain_plan(office: Office, plan: OfficePlan | None = None) -> schedule.Plan:
    """The office's planning rows as the pure scheduler's ``Plan``."""
    plan = plan or OfficePlan.objects.get(office=office)
    weekly = tuple(
        schedule.WeeklyHours(h.weekday, schedule.Interval(h.opens, h.closes))
        for h in OpeningHours.objects.filter(office=office)
    )
    by_day: dict[datetime.date, list[schedule.Interval]] = defaultdict(list)
    reasons: dict[datetime.date, str] = {}
    for e in OpeningException.objects.filter(office=office, day__gte=timezone.localdate()):
        by_day.setdefault(e.day, [])
        reasons[e.day] = e.reason
        if not e.closed and e.opens and e.closes:
            by_day[e.day].append(schedule.Interval(e.opens, e.closes))
    exceptions = tuple(schedule.DayException(day, tuple(iv), reasons[day]) for day, iv in by_day.items())
    return schedule.Plan(
        slot_minutes=plan.slot_minutes,
        weekly=weekly,
        exceptions=exceptions,
        release_days=plan.release_days,
        release_time=plan.release_time,
        min_lead_minutes=plan.min_lead_minutes,
    )


def bookable_services() -> QuerySet[Service]:
    """Services that at least one active office offers online, by name."""
    return (
        Service.objects.filter(offered_at__active=True, offered_at__office__appointment_plan__active=True)
        .distinct()
        .order_by("name")
    )


def bookable_offices() -> QuerySet[Office]:
    return Office.objects.filter(appointment_plan__active=True).order_by("name")


def offered_for(*, office: Office, services: Sequence[Service]) -> list[OfferedService]:
    """The office's offer of each service, in the given order; shorter if one is not offered."""
    by_service = {
        o.service_id: o
        for o in OfferedService.objects.filter(
            office=office, service__in=services, active=True, office__appointment_plan__active=True
        )
    }
    return [by_service[s.pk] for s in services if s.pk in by_service]


def offices_for_services(services: Sequence[Service]) -> list[Office]:
    """Active offices offering every one of ``services``."""
    wanted = {s.pk for s in services}
    if not wanted:
        return []
    counts = (
        OfferedService.objects.filter(service__in=wanted, active=True, office__appointment_plan__active=True)
        .values("office")
        .annotate(n=Count("service", distinct=True))
        .filter(n=len(wanted))
        .values_list("office", flat=True)
    )
    return list(Office.objects.filter(pk__in=list(counts)).order_by("name"))


def units_for(offered: Sequence[OfferedService], slot_minutes: int) -> int:
    return schedule.units_needed(
        [schedule.ServiceTime(o.duration_minutes, o.buffer_minutes) for o in offered],
        slot_minutes=slot_minutes,
    )


PLAN_CACHE_SECONDS = 60


@dataclass(frozen=True)
class PlanSnapshot:
    """What availability needs of an office's planning; cached briefly (reservations always
    check against the fresh rows, so a stale snapshot can only show a time that is then refused)."""

    plan: schedule.Plan
    offers: dict[int, schedule.ServiceTime]


def _plan_key(office_id: int) -> str:
    return f"appt-plan:{office_id}"


def plan_snapshot(office: Office) -> PlanSnapshot | None:
    """The active office's plan and offers, from the cache when fresh; None without active planning."""
    key = _plan_key(office.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached if isinstance(cached, PlanSnapshot) else None
    plan_row = OfficePlan.objects.filter(office=office, active=True).first()
    snapshot: PlanSnapshot | bool = False
    if plan_row is not None:
        offers = {
            o.service_id: schedule.ServiceTime(o.duration_minutes, o.buffer_minutes)
            for o in OfferedService.objects.filter(office=office, active=True)
        }
        snapshot = PlanSnapshot(plan=domain_plan(office, plan_row), offers=offers)
    cache.set(key, snapshot, PLAN_CACHE_SECONDS)
    return snapshot if isinstance(snapshot, PlanSnapshot) else None


def plan_forget(office: Office) -> None:
    """Drop the cached snapshot after a planning change (services call this)."""
    cache.delete(_plan_key(office.pk))


@dataclass(frozen=True)
class Free:
    office: Office
    start: datetime.datetime  # aware
    end: datetime.datetime

    @property
    def day(self) -> datetime.date:
        return timezone.localdate(self.start)

    @property
    def choice(self) -> str:
        """The value a booking form sends for this time."""
        return f"{self.office.pk}|{self.start.isoformat()}"


def availability(
    *,
    office: Office,
    services: Sequence[Service],
    now: datetime.datetime | None = None,
    day: datetime.date | None = None,
    limit: int = 50,
) -> list[Free]:
    """Free start times at ``office`` for a visit with ``services`` (earliest first).

    A start is free when some active counter has enough consecutive units with no claim, or
    only claims of holds that have lapsed. With ``day`` only that day is searched.
    """
    now = now or timezone.now()
    snapshot = plan_snapshot(office)
    if snapshot is None or not services or any(s.pk not in snapshot.offers for s in services):
        return []
    plan = snapshot.plan
    units = schedule.units_needed([snapshot.offers[s.pk] for s in services], slot_minutes=plan.slot_minutes)
    local_now = local_naive(now)
    lower = aware(schedule.earliest_start(plan, local_now))
    last_day = schedule.last_released_day(plan, local_now)
    upper = aware(datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time()))
    if day is not None:
        lower = max(lower, aware(datetime.datetime.combine(day, datetime.time())))
        upper = min(
            upper, aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
        )
    if lower >= upper:
        return []
    free_units = (
        Slot.objects.filter(office=office, counter__active=True, start__gte=lower, start__lt=upper)
        .filter(Q(claim__isnull=True) | Q(claim__held_until__lt=now))
        # (start, pk): an incremental sort on the (office, start) index, so LIMIT stops early.
        .order_by("start", "pk")
        .values_list("counter_id", "start")
    )
    step = datetime.timedelta(minutes=plan.slot_minutes)
    per_counter: dict[int, list[datetime.datetime]] = defaultdict(list)
    starts: list[datetime.datetime] = []
    # Read the free units in start order, a batch at a time, until the first ``limit`` starts are
    # certain: a run that begins before the last unit read lies entirely in what was read.
    batch = max(200, 4 * limit * units)
    scanned = 0
    while scanned < MAX_SCAN_ROWS:
        rows = list(free_units[scanned : scanned + batch])
        scanned += len(rows)
        for counter_id, start in rows:
            per_counter[counter_id].append(start)
        found: set[datetime.datetime] = set()
        for counter_starts in per_counter.values():
            found.update(schedule.run_starts(counter_starts, slot_minutes=plan.slot_minutes, units=units))
        starts = sorted(found)
        if len(rows) < batch:
            break
        if len(starts) >= limit and starts[limit - 1] + (units - 1) * step < rows[-1][1]:
            break
    return [Free(office, s, s + units * step) for s in sorted(starts)[:limit]]


def earliest_across_offices(
    *, services: Sequence[Service], now: datetime.datetime | None = None, per_office: int = 3
) -> list[Free]:
    """The first few free starts at every office offering all ``services``, earliest office first."""
    found: list[list[Free]] = []
    for office in offices_for_services(services):
        free = availability(office=office, services=services, now=now, limit=per_office)
        if free:
            found.append(free)
    found.sort(key=lambda frees: frees[0].start)
    return [f for frees in found for f in frees]


def appointment_for_mail(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_related("office")
        .prefetch_related("services")
        .filter(pk=appointment_id)
        .first()
    )


def staff_offices(user: Any) -> list[Office]:
    """Offices where ``user`` has a staff role and online appointments are planned."""
    return list(
        Office.objects.filter(staff_roles__user=user, appointment_plan__isnull=False)
        .distinct()
        .order_by("name")
    )


def day_list(*, office: Office, day: datetime.date) -> dict[Counter | None, list[Appointment]]:
    """The day's appointments and walk-ins per counter (walk-ins not yet called: under None)."""
    start = aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    items = (
        Appointment.objects.filter(office=office)
        .filter(
            Q(start__gte=start, start__lt=end)
            | Q(kind=Appointment.Kind.WALK_IN, created_at__gte=start, created_at__lt=end)
        )
        .exclude(status__in=[Appointment.Status.RESERVED, Appointment.Status.LAPSED])
        .select_related("counter")
        .prefetch_related("services")
        .order_by("start", "created_at")
    )
    grouped: dict[Counter | None, list[Appointment]] = defaultdict(list)
    for item in items:
        grouped[item.counter].append(item)
    return dict(grouped)


def _queue_key(item: Appointment) -> tuple[datetime.datetime, int]:
    arrived = item.checked_in_at or item.created_at
    due = max(arrived, item.start) if item.start else arrived
    return due, item.pk


def waiting_queue(*, office: Office) -> list[Appointment]:
    """Checked-in visitors in call order: appointments from their booked time, walk-ins from arrival."""
    items = list(
        Appointment.objects.filter(office=office, status=Appointment.Status.CHECKED_IN).prefetch_related(
            "services"
        )
    )
    return sorted(items, key=_queue_key)


def call_display(
    *, office: Office, now: datetime.datetime | None = None, limit: int = 8
) -> list[Appointment]:
    """The latest calls of today (queue number and counter only; no names)."""
    now = now or timezone.now()
    since = aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
    return list(
        Appointment.objects.filter(office=office, called_at__gte=since)
        .select_related("counter")
        .order_by("-called_at")[:limit]
    )


@dataclass(frozen=True)
class OfficeStatistics:
    rows: list[stats.Summary]
    total: stats.Summary
    offered_units: int
    booked_units: int
    utilisation: float | None


def office_statistics(*, office: Office, first: datetime.date, last: datetime.date) -> OfficeStatistics:
    """Waiting time, no-show rate per service and utilisation of ``office`` from ``first`` to ``last``."""
    lower = aware(datetime.datetime.combine(first, datetime.time()))
    upper = aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time()))
    closed = [
        Appointment.Status.CANCELLED,
        Appointment.Status.LAPSED,
        Appointment.Status.RESERVED,
        Appointment.Status.PRECONFIRMED,
    ]
    items = (
        Appointment.objects.filter(office=office)
        .filter(
            Q(start__gte=lower, start__lt=upper)
            | Q(start__isnull=True, created_at__gte=lower, created_at__lt=upper)
        )
        .exclude(status__in=closed)
        .prefetch_related("services")
    )
    per_service: dict[str, list[stats.Visit]] = defaultdict(list)
    everything: list[stats.Visit] = []
    booked_units = 0
    for item in items:
        visit = stats.Visit(
            service="",
            booked_start=item.start,
            checked_in_at=item.checked_in_at,
            called_at=item.called_at,
            no_show=item.status == Appointment.Status.NO_SHOW,
            units=item.units,
        )
        everything.append(visit)
        if item.start is not None:
            booked_units += item.units
        for service in item.services.all():
            per_service[service.name].append(visit)
    offered_units = Slot.objects.filter(office=office, start__gte=lower, start__lt=upper).count()
    rows = [stats.summarise(name, visits) for name, visits in sorted(per_service.items())]
    return OfficeStatistics(
        rows=rows,
        total=stats.summarise("", everything),
        offered_units=offered_units,
        booked_units=booked_units,
        utilisation=stats.utilisation(booked_units=booked_units, offered_units=offered_units),
    )


def services_by_ids(ids: Iterable[int]) -> list[Service]:
    wanted = list(dict.fromkeys(ids))
    found = {s.pk: s for s in Service.objects.filter(pk__in=wanted)}
    return [found[i] for i in wanted if i in found]
