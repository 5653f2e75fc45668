"""Reads of the Terminvergabe.

Public: ``domain_plan``, ``holidays_for``, ``bookable_services``, ``offices_for_services``,
``service_ids_bookable_at``, ``citizen_appointments``, ``offered_for``, ``availability``,
``earliest_across_offices``, ``appointment_for_mail``,
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
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from rathaus.accounts.selectors import working_offices
from rathaus.directory.types import Office, Service
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
    return _plan_from_rows(
        plan,
        OpeningHours.objects.filter(office=office),
        OpeningException.objects.filter(office=office, day__gte=timezone.localdate()),
    )


def _plan_from_rows(
    plan: OfficePlan, hours: Iterable[OpeningHours], exceptions: Iterable[OpeningException]
) -> schedule.Plan:
    weekly = tuple(schedule.WeeklyHours(h.weekday, schedule.Interval(h.opens, h.closes)) for h in hours)
    by_day: dict[datetime.date, list[schedule.Interval]] = defaultdict(list)
    reasons: dict[datetime.date, str] = {}
    for e in exceptions:
        by_day.setdefault(e.day, [])
        reasons[e.day] = e.reason
        if not e.closed and e.opens and e.closes:
            by_day[e.day].append(schedule.Interval(e.opens, e.closes))
    return schedule.Plan(
        slot_minutes=plan.slot_minutes,
        weekly=weekly,
        exceptions=tuple(schedule.DayException(day, tuple(iv), reasons[day]) for day, iv in by_day.items()),
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


def service_ids_bookable_at(office: Office) -> set[int]:
    """Ids of the services ``office`` offers online now (active offer, active planning)."""
    return set(
        OfferedService.objects.filter(
            office=office, active=True, office__appointment_plan__active=True
        ).values_list("service_id", flat=True)
    )


def citizen_appointments(*, user: Any, now: datetime.datetime | None = None) -> list[Appointment]:
    """The citizen's booked appointments that are still ahead (or under way today), soonest first."""
    now = now or timezone.now()
    today = aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
    return list(
        Appointment.objects.filter(
            user=user,
            kind=Appointment.Kind.ONLINE,
            status__in=[
                Appointment.Status.CONFIRMED,
                Appointment.Status.CHECKED_IN,
                Appointment.Status.CALLED,
            ],
            end__gte=today,
        )
        .select_related("office")
        .prefetch_related("services")
        .order_by("start", "pk")
    )


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
    return plan_snapshots([office])[office.pk]


def plan_snapshots(offices: Sequence[Office]) -> dict[int, PlanSnapshot | None]:
    """``plan_snapshot`` of several offices by id: one cache read, and for the offices not in the
    cache four queries in all, however many offices there are."""
    keys = {_plan_key(o.pk): o for o in offices}
    cached = cache.get_many(list(keys))
    found: dict[int, PlanSnapshot | None] = {}
    missing: list[int] = []
    for key, office in keys.items():
        if key in cached:
            value = cached[key]
            found[office.pk] = value if isinstance(value, PlanSnapshot) else None
        else:
            missing.append(office.pk)
    if not missing:
        return found
    plan_rows = {p.office_id: p for p in OfficePlan.objects.filter(office__in=missing, active=True)}
    planned = list(plan_rows)
    offers: dict[int, dict[int, schedule.ServiceTime]] = defaultdict(dict)
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    exceptions: dict[int, list[OpeningException]] = defaultdict(list)
    if planned:
        for o in OfferedService.objects.filter(office__in=planned, active=True):
            offers[o.office_id][o.service_id] = schedule.ServiceTime(o.duration_minutes, o.buffer_minutes)
        for h in OpeningHours.objects.filter(office__in=planned):
            hours[h.office_id].append(h)
        for e in OpeningException.objects.filter(office__in=planned, day__gte=timezone.localdate()):
            exceptions[e.office_id].append(e)
    store: dict[str, PlanSnapshot | bool] = {}
    for office_id in missing:
        plan_row = plan_rows.get(office_id)
        snapshot: PlanSnapshot | None = None
        if plan_row is not None:
            plan = _plan_from_rows(plan_row, hours[office_id], exceptions[office_id])
            snapshot = PlanSnapshot(plan=plan, offers=offers[office_id])
        found[office_id] = snapshot
        store[_plan_key(office_id)] = snapshot if snapshot is not None else False
    cache.set_many(store, PLAN_CACHE_SECONDS)
    return found


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


class _Search:
    """The search for free starts at one office: reads its free units in start order, a batch at a
    time, until the first ``limit`` starts are certain (a run that begins before the last unit read
    lies entirely in what was read)."""

    def __init__(
        self,
        *,
        office: Office,
        plan: schedule.Plan,
        units: int,
        lower: datetime.datetime,
        upper: datetime.datetime,
        limit: int,
        batch: int,
    ) -> None:
        self.office, self.plan, self.units, self.limit = office, plan, units, limit
        self.lower, self.upper = lower, upper
        self.step = datetime.timedelta(minutes=plan.slot_minutes)
        self.batch = batch
        self.scanned = 0
        self.done = False
        self.per_counter: dict[int, list[datetime.datetime]] = defaultdict(list)
        self.starts: list[datetime.datetime] = []

    def free_units(self, now: datetime.datetime) -> QuerySet[Slot]:
        return (
            Slot.objects.filter(
                office=self.office, counter__active=True, start__gte=self.lower, start__lt=self.upper
            )
            .filter(Q(claim__isnull=True) | Q(claim__held_until__lt=now))
            # (start, pk): an incremental sort on the (office, start) index, so LIMIT stops early.
            .order_by("start", "pk")
        )

    def next_batch(self, now: datetime.datetime, *, in_union: bool) -> QuerySet[Slot, Any]:
        """The next batch of free units as (office, start, pk, counter) rows."""
        columns = ("office_id", "start", "pk", "counter_id")
        window = slice(self.scanned, self.scanned + self.batch)
        if not in_union or connection.features.supports_slicing_ordering_in_compound:
            return self.free_units(now).values_list(*columns)[window]
        # SQLite allows no LIMIT in a part of a UNION: there the part takes the batch's keys.
        keys = self.free_units(now).values("pk")[window]
        return Slot.objects.filter(pk__in=keys).order_by().values_list(*columns)

    def take(self, rows: list[tuple[datetime.datetime, int, int]]) -> None:
        """Add a batch of free units (start, pk, counter), in (start, pk) order."""
        self.scanned += len(rows)
        for start, _pk, counter_id in rows:
            self.per_counter[counter_id].append(start)
        found: set[datetime.datetime] = set()
        for counter_starts in self.per_counter.values():
            found.update(
                schedule.run_starts(counter_starts, slot_minutes=self.plan.slot_minutes, units=self.units)
            )
        self.starts = sorted(found)
        limit = self.limit
        self.done = (
            self.scanned >= MAX_SCAN_ROWS
            or len(rows) < self.batch
            or (
                len(self.starts) >= limit
                and self.starts[limit - 1] + (self.units - 1) * self.step < rows[-1][0]
            )
        )
        # Each further batch is twice as large, so that a long search takes few rounds.
        self.batch = min(2 * self.batch, MAX_SCAN_ROWS - self.scanned)

    def result(self) -> list[Free]:
        return [Free(self.office, s, s + self.units * self.step) for s in self.starts[: self.limit]]


def _search(
    *,
    office: Office,
    snapshot: PlanSnapshot | None,
    services: Sequence[Service],
    now: datetime.datetime,
    day: datetime.date | None,
    limit: int,
    min_batch: int = 200,
) -> _Search | None:
    """The search at ``office``, or None when nothing there can be free."""
    if snapshot is None or not services or any(s.pk not in snapshot.offers for s in services):
        return None
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
        return None
    batch = max(min_batch, 4 * limit * units)
    return _Search(office=office, plan=plan, units=units, lower=lower, upper=upper, limit=limit, batch=batch)


def _run(searches: Sequence[_Search], now: datetime.datetime) -> None:
    """Run the searches together: each round reads the next batch of every unfinished search in
    one query (a UNION ALL of the batches), so the queries do not grow with the number of offices."""
    pending = list(searches)
    while pending:
        parts = [s.next_batch(now, in_union=len(pending) > 1) for s in pending]
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        rows: dict[int, list[tuple[datetime.datetime, int, int]]] = defaultdict(list)
        for office_id, start, pk, counter_id in query:
            rows[office_id].append((start, pk, counter_id))
        for search in pending:
            search.take(sorted(rows[search.office.pk]))
        pending = [s for s in pending if not s.done]


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
    search = _search(
        office=office, snapshot=plan_snapshot(office), services=services, now=now, day=day, limit=limit
    )
    if search is None:
        return []
    _run([search], now)
    return search.result()


def earliest_across_offices(
    *, services: Sequence[Service], now: datetime.datetime | None = None, per_office: int = 3
) -> list[Free]:
    """The first few free starts at every office offering all ``services``, earliest office first.

    A constant number of queries for any number of offices (see ``plan_snapshots`` and ``_run``)."""
    now = now or timezone.now()
    offices = offices_for_services(services)
    snapshots = plan_snapshots(offices)
    searches = [
        search
        for office in offices
        if (
            search := _search(
                office=office,
                snapshot=snapshots[office.pk],
                services=services,
                now=now,
                day=None,
                limit=per_office,
                min_batch=24,  # a few starts per office: small first batches
            )
        )
        is not None
    ]
    _run(searches, now)
    found = [frees for search in searches if (frees := search.result())]
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
    """Offices where ``user`` works on matters (``accounts.selectors.WORKING_ROLES``) and online
    appointments are planned. An office's administrators manage logins; they do not read the
    day list with names and booking codes."""
    return list(working_offices(user).filter(appointment_plan__isnull=False).order_by("name"))


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
