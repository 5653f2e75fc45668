"""Reads of an office's planning: the plan as the pure scheduler sees it, what is offered where,
and the briefly cached snapshot that availability reads."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import timezone

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import planfile, schedule
from rathaus.kernel import fragments

from ..models import Counter, OfferedService, OfficePlan, OpeningException, OpeningHours

PLAN_CACHE_SECONDS = 60
_GENERATION_KEY = "appt-plan-generation"
# The stamp (kernel.fragments) of everything that decides which units are free: claims, units,
# planning. Renewed on commit by the services (``free_units_changed``) and by ``plan_forget``.
FREE_SOURCE = "appointments.free"


def domain_plan(
    office: Office, plan: OfficePlan | None = None, *, since: datetime.date | None = None
) -> schedule.Plan:
    """The office's planning rows as the pure scheduler's ``Plan``, with the exception days from
    ``since`` on (the caller's "today", so a check made for a given moment sees that moment's
    closures; the real local date when omitted)."""
    plan = plan or OfficePlan.objects.get(office=office)
    return _plan_from_rows(
        plan,
        OpeningHours.objects.filter(office=office),
        OpeningException.objects.filter(office=office, day__gte=since or timezone.localdate()),
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


def active_plan(office: Office) -> OfficePlan | None:
    """The office's planning row if online booking is switched on there, else None."""
    return OfficePlan.objects.filter(office=office, active=True).first()


def planned_offices() -> list[Office]:
    """Every office with a planning row (active or not), by name."""
    return list(directory_selectors.office_list().filter(pk__in=OfficePlan.objects.values("office")))


def planned_office(*, slug: str) -> Office | None:
    """The office with this slug if it has a planning row, else None."""
    office = directory_selectors.office_by_slug(slug=slug)
    if office is None or not OfficePlan.objects.filter(office=office).exists():
        return None
    return office


def bookable_services() -> QuerySet[Service]:
    """Services that at least one active office offers online, by name."""
    return (
        Service.objects.filter(offered_at__active=True, offered_at__office__appointment_plan__active=True)
        .distinct()
        .order_by("name")
    )


def bookable_offices() -> QuerySet[Office]:
    """Offices whose online booking is switched on, by name."""
    active = OfficePlan.objects.filter(active=True).values("office")
    return directory_selectors.office_list().filter(pk__in=active)


def offered_for(*, office: Office, services: Sequence[Service]) -> list[OfferedService]:
    """The office's offer of each service, in the given order; shorter if one is not offered."""
    by_service = {
        o.service_id: o
        for o in OfferedService.objects.filter(
            office=office, service__in=services, active=True, office__appointment_plan__active=True
        )
    }
    return [by_service[s.pk] for s in services if s.pk in by_service]


def offered_services(office: Office) -> QuerySet[Service]:
    """The services ``office`` offers (active offers, planning switched on or not), by name."""
    return Service.objects.filter(offered_at__office=office, offered_at__active=True).order_by("name")


def offices_for_services(services: Sequence[Service]) -> list[Office]:
    """Active offices offering every one of ``services``; cached like the plan snapshots (for
    ``PLAN_CACHE_SECONDS``, and dropped with every planning change: ``plan_forget``)."""
    wanted = sorted({s.pk for s in services})
    if not wanted:
        return []
    key = f"appt-offices:{_generation()}:{','.join(map(str, wanted))}"
    cached = cache.get(key)
    if isinstance(cached, list):
        return cached
    counts = (
        OfferedService.objects.filter(service__in=wanted, active=True, office__appointment_plan__active=True)
        .values("office")
        .annotate(n=Count("service", distinct=True))
        .filter(n=len(wanted))
        .values_list("office", flat=True)
    )
    found = list(directory_selectors.office_list().filter(pk__in=list(counts)))
    cache.set(key, found, PLAN_CACHE_SECONDS)
    return found


def _generation() -> int:
    """A counter that every planning change advances, so that cached answers spanning several
    offices (``offices_for_services``) are not read again after one of them changed."""
    value = cache.get(_GENERATION_KEY)
    if value is None:
        cache.add(_GENERATION_KEY, 0, timeout=None)
        value = cache.get(_GENERATION_KEY, 0)
    return int(value)


def service_ids_bookable_at(office: Office) -> set[int]:
    """Ids of the services ``office`` offers online now (active offer, active planning)."""
    return set(
        OfferedService.objects.filter(
            office=office, active=True, office__appointment_plan__active=True
        ).values_list("service_id", flat=True)
    )


def services_by_ids(ids: Iterable[int]) -> list[Service]:
    """The services with these ids, in the given order (unknown ids left out, repeats once)."""
    wanted = list(dict.fromkeys(ids))
    found = {s.pk: s for s in Service.objects.filter(pk__in=wanted)}
    return [found[i] for i in wanted if i in found]


def units_for(offered: Sequence[OfferedService], slot_minutes: int) -> int:
    """How many consecutive units a visit for the ``offered`` services takes."""
    return schedule.units_needed(
        [schedule.ServiceTime(o.duration_minutes, o.buffer_minutes) for o in offered],
        slot_minutes=slot_minutes,
    )


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
    if missing:
        fresh = _snapshots_from_rows(missing)
        found.update(fresh)
        store = {_plan_key(pk): snapshot if snapshot is not None else False for pk, snapshot in fresh.items()}
        cache.set_many(store, PLAN_CACHE_SECONDS)
    return found


def _snapshots_from_rows(office_ids: list[int]) -> dict[int, PlanSnapshot | None]:
    """The snapshots of these offices read from the database (four queries for all of them)."""
    plan_rows = {p.office_id: p for p in OfficePlan.objects.filter(office__in=office_ids, active=True)}
    planned = list(plan_rows)
    offers: dict[int, dict[int, schedule.ServiceTime]] = defaultdict(dict)
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    exceptions: dict[int, list[OpeningException]] = defaultdict(list)
    if planned:
        for o in OfferedService.objects.filter(office__in=planned, active=True):
            offers[o.office_id][o.service_id] = schedule.ServiceTime(o.duration_minutes, o.buffer_minutes)
        for h in OpeningHours.objects.filter(office__in=planned):
            hours[h.office_id].append(h)
        # A month back as well: a caller asking for a moment shortly before today (a test's fixed
        # clock, a report) still sees that moment's closures; older days change nothing bookable.
        since = timezone.localdate() - datetime.timedelta(days=31)
        for e in OpeningException.objects.filter(office__in=planned, day__gte=since):
            exceptions[e.office_id].append(e)
    found: dict[int, PlanSnapshot | None] = {}
    for office_id in office_ids:
        plan_row = plan_rows.get(office_id)
        found[office_id] = (
            None
            if plan_row is None
            else PlanSnapshot(
                plan=_plan_from_rows(plan_row, hours[office_id], exceptions[office_id]),
                offers=offers[office_id],
            )
        )
    return found


def plan_forget(office: Office) -> None:
    """Drop the office's cached snapshot. The planning services call this once their transaction
    has committed (``transaction.on_commit``): dropped earlier, a reader could cache the old rows
    again before the change is visible."""
    cache.delete(_plan_key(office.pk))
    fragments.renew(FREE_SOURCE)  # the cached answers of availability across offices
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not in the cache (cleared, evicted): any new value is a new generation
        cache.set(_GENERATION_KEY, 1, timeout=None)


def services_by_leika_keys(keys: Iterable[str]) -> dict[str, Service]:
    """The directory's services with these LeiKa keys, by key (unknown keys left out)."""
    return {s.leika_key: s for s in Service.objects.filter(leika_key__in=list(keys))}


def plan_document(office: Office, *, today: datetime.date | None = None) -> planfile.PlanFile | None:
    """The office's stored planning as ``rathaus appointments plan --show`` writes it: every
    setting, the counters in use, the weekly hours, the day exceptions from ``today`` on and the
    services offered online (with their names); None when the office has no planning."""
    plan = OfficePlan.objects.filter(office=office).first()
    if plan is None:
        return None
    today = today or timezone.localdate()
    by_day: dict[datetime.date, list[OpeningException]] = defaultdict(list)
    for row in OpeningException.objects.filter(office=office, day__gte=today).order_by("day", "opens"):
        by_day[row.day].append(row)
    offers = OfferedService.objects.filter(office=office, active=True).select_related("service")
    return planfile.PlanFile(
        office=office.slug,
        settings={name: getattr(plan, name) for name in planfile.SETTINGS},
        counters=tuple(Counter.objects.filter(office=office, active=True).values_list("name", flat=True)),
        hours=tuple(
            schedule.WeeklyHours(h.weekday, schedule.Interval(h.opens, h.closes))
            for h in OpeningHours.objects.filter(office=office)
        ),
        exceptions=tuple(
            schedule.DayException(
                day,
                tuple(
                    schedule.Interval(r.opens, r.closes)
                    for r in rows
                    if not r.closed and r.opens and r.closes
                ),
                rows[0].reason,
            )
            for day, rows in by_day.items()
        ),
        offers=tuple(
            planfile.Offer(o.service.leika_key, o.duration_minutes, o.buffer_minutes, name=o.service.name)
            for o in offers.order_by("service__leika_key")
        ),
    )
