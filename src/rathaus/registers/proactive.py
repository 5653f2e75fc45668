"""The daily proactive run: the whole population checked for the day's entitlements.

The residents are partitioned by id into chunks of ``chunk_size`` ids (aligned, so the same
day and size always give the same chunks); each chunk is one background task keyed by the day
and its id range (``enqueue_once``). A run that crashed is resumed by running it again: chunks
already queued or done are not queued twice, and within a chunk each entitlement is a register
event keyed by person (``turned_67:<person>``), stored and processed once whoever reports it.

Checked so far: the people who reach the standard retirement age of 67 on the day
(``rathaus.domain.onceonly.offers.birth_dates_turning``; the living only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Min

from rathaus.domain.onceonly.offers import RETIREMENT_AGE, EventKind, birth_dates_turning
from rathaus.kernel.tasks import TaskRun, enqueue_once

from .events import event_record
from .models import Person, ProactiveOffer, RegisterEvent

CHUNK_TASK = "rathaus.registers.tasks.proactive_chunk"
DEFAULT_CHUNK_SIZE = 10_000


@dataclass(frozen=True)
class Chunk:
    first_id: int
    last_id: int  # inclusive
    key: str


def chunk_key(day: datetime.date, first_id: int, last_id: int) -> str:
    return f"registers-proactive:{day.isoformat()}:{first_id}-{last_id}"


def chunks_for(*, day: datetime.date, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[Chunk]:
    """The id ranges that cover every person in the register, aligned to ``chunk_size``."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    bounds = Person.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    start = bounds["low"] // chunk_size * chunk_size
    return [
        Chunk(first, first + chunk_size - 1, chunk_key(day, first, first + chunk_size - 1))
        for first in range(start, bounds["high"] + 1, chunk_size)
    ]


def chunk_enqueue(*, day: datetime.date, chunk: Chunk) -> tuple[TaskRun, bool]:
    """Queue the chunk's task unless its key exists; (the run, whether it was queued now)."""
    existed = TaskRun.objects.filter(key=chunk.key).exists()
    run = enqueue_once(
        CHUNK_TASK, key=chunk.key, day=day.isoformat(), first_id=chunk.first_id, last_id=chunk.last_id
    )
    return run, not existed


def chunk_check(*, day: datetime.date, first_id: int, last_id: int) -> int:
    """Check the people with ids ``first_id``…``last_id`` for ``day``; the events recorded."""
    born = birth_dates_turning(RETIREMENT_AGE, day)
    people = Person.objects.filter(
        pk__gte=first_id, pk__lte=last_id, date_of_death__isnull=True, date_of_birth__in=born
    ).order_by("pk")
    count = 0
    for person in people.iterator(chunk_size=2000):
        event_record(kind=EventKind.TURNED_67, person=person, occurred_on=day, key=f"turned_67:{person.pk}")
        count += 1
    return count


@dataclass(frozen=True)
class DaySummary:
    events: int
    processed: int
    offers: int


def day_summary(*, day: datetime.date) -> DaySummary:
    """What the run for ``day`` has produced so far (events of the day and their offers)."""
    events = RegisterEvent.objects.filter(kind=EventKind.TURNED_67, occurred_on=day)
    return DaySummary(
        events=events.count(),
        processed=events.filter(processed_at__isnull=False).count(),
        offers=ProactiveOffer.objects.filter(event__in=events).count(),
    )
