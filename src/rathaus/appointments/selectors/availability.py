"""Free start times: the search over an office's free units, and across offices at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import schedule

from ..models import Slot
from ._common import aware, day_start, local_naive
from .plans import PlanSnapshot, offices_for_services, plan_snapshot, plan_snapshots

MAX_SCAN_ROWS = 3000


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
    upper = day_start(last_day + datetime.timedelta(days=1))
    if day is not None:
        lower = max(lower, day_start(day))
        upper = min(upper, day_start(day + datetime.timedelta(days=1)))
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
