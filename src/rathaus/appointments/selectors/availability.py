"""Free start times: the search over an office's free units, and across offices at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.core.cache import caches
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import schedule
from rathaus.kernel import fragments

from ..models import Counter, Slot, SlotClaim
from ._common import aware, day_start, local_naive
from .plans import FREE_SOURCE, PlanSnapshot, offices_for_services, plan_snapshot, plan_snapshots

MAX_SCAN_ROWS = 3000
FREE_CACHE_SECONDS = 10
_MISSING = object()
T = TypeVar("T")


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

    def next_batch(self, now: datetime.datetime) -> QuerySet[Slot, Any]:
        """The next batch of free units as (office, start, pk, counter) rows (one office alone;
        several at once: ``_union_sql``)."""
        window = slice(self.scanned, self.scanned + self.batch)
        return self.free_units(now).values_list("office_id", "start", "pk", "counter_id")[window]

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


def _union_sql(searches: Sequence[_Search], now: datetime.datetime) -> tuple[str, list[Any]]:
    """The next batch of every search in ``searches`` as one UNION ALL statement.

    The same condition as ``_Search.free_units`` (a free unit of an active counter in the window,
    in (start, pk) order), written as SQL: built by the ORM, the dozen querysets of an all-offices
    search cost more time to compile than the database needs to answer them. Each part is a
    derived table, where SQLite and PostgreSQL both allow ORDER BY and LIMIT."""
    ops = connection.ops
    q = ops.quote_name
    slot, claim, counter = Slot._meta, SlotClaim._meta, Counter._meta
    # Names from the models' meta, quoted; every value is a parameter.
    part = (
        f"SELECT * FROM (SELECT s.{q('office_id')}, s.{q('start')}, s.{q('id')}, s.{q('counter_id')} "  # noqa: S608
        f"FROM {q(slot.db_table)} s "
        f"INNER JOIN {q(counter.db_table)} c ON c.{q('id')} = s.{q('counter_id')} "
        f"LEFT OUTER JOIN {q(claim.db_table)} k ON k.{q('slot_id')} = s.{q('id')} "
        f"WHERE s.{q('office_id')} = %s AND c.{q('active')} = %s "
        f"AND s.{q('start')} >= %s AND s.{q('start')} < %s "
        f"AND (k.{q('id')} IS NULL OR k.{q('held_until')} < %s) "
        f"ORDER BY s.{q('start')}, s.{q('id')} LIMIT %s OFFSET %s) part{{n}}"
    )
    moment = ops.adapt_datetimefield_value(now)
    parts: list[str] = []
    params: list[Any] = []
    for n, search in enumerate(searches):
        parts.append(part.format(n=n))
        params += [
            search.office.pk,
            True,
            ops.adapt_datetimefield_value(search.lower),
            ops.adapt_datetimefield_value(search.upper),
            moment,
            search.batch,
            search.scanned,
        ]
    return " UNION ALL ".join(parts), params


def _union_rows(searches: Sequence[_Search], now: datetime.datetime) -> list[tuple[Any, ...]]:
    sql, params = _union_sql(searches, now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found: list[tuple[Any, ...]] = cursor.fetchall()
    if connection.vendor != "sqlite":
        return found
    # SQLite gives datetimes as text: read them as the ORM does (aware, in UTC).
    read = connection.ops.convert_datetimefield_value  # type: ignore[attr-defined]
    return [(office, read(start, None, connection), pk, counter) for office, start, pk, counter in found]


def _run(searches: Sequence[_Search], now: datetime.datetime) -> None:
    """Run the searches together: each round reads the next batch of every unfinished search in
    one query (a UNION ALL of the batches), so the queries do not grow with the number of offices."""
    pending = list(searches)
    while pending:
        found = _union_rows(pending, now) if len(pending) > 1 else list(pending[0].next_batch(now))
        rows: dict[int, list[tuple[datetime.datetime, int, int]]] = defaultdict(list)
        for office_id, start, pk, counter_id in found:
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

    A constant number of queries for any number of offices (see ``plan_snapshots`` and ``_run``).
    The live answer (no ``now`` given) comes through ``free_cached``."""
    if now is not None:
        return _earliest(services=services, now=now, per_office=per_office)
    return free_cached(
        f"earliest-{per_office}",
        services,
        lambda: _earliest(services=services, now=timezone.now(), per_office=per_office),
    )


def free_cached(name: str, services: Sequence[Service], compute: Callable[[], T]) -> T:
    """``compute()``, a live answer about free starts for ``services``, kept for
    ``FREE_CACHE_SECONDS`` in the process-local ``fragments`` cache under the stamp of
    ``FREE_SOURCE`` (``kernel.fragments``), which every change of claims, units or planning renews
    on commit: a booking shows on the next request in every process; what changes by time alone
    (a hold that lapses, the lead time moving on) shows within ``FREE_CACHE_SECONDS``. A start
    shown a moment too long is refused when reserved (the reservation checks the rows under
    lock), never booked twice. ``name`` tells apart the shapes of answer kept (decision 0097)."""
    ids = ",".join(str(pk) for pk in sorted({s.pk for s in services}))
    # The stamp is read before the data, so an answer is never stored under a newer stamp.
    key = f"appt-free:{name}:{fragments.stamp(FREE_SOURCE)}:{ids}"
    store = caches["fragments"]
    cached = store.get(key, _MISSING)
    if cached is not _MISSING:
        return cast(T, cached)
    value = compute()
    store.set(key, value, FREE_CACHE_SECONDS)
    return value


def _earliest(*, services: Sequence[Service], now: datetime.datetime, per_office: int) -> list[Free]:
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
