"""Figures for an office's planning: waiting time, no-show rate, utilisation.

- Waiting time of a visitor: from the later of check-in and the booked start (nobody waits
  "for" the time they came early) until the call; walk-ins wait from check-in.
- No-show rate: booked appointments of past days marked as not attended, divided by all
  booked appointments of those days that were not cancelled.
- Utilisation: booked units divided by all units offered (per counter) in the period.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Visit:
    """One appointment or walk-in as the statistics see it."""

    service: str
    booked_start: datetime | None  # None for walk-ins
    checked_in_at: datetime | None
    called_at: datetime | None
    no_show: bool
    units: int = 1


@dataclass(frozen=True)
class Summary:
    service: str
    visits: int
    booked: int
    walk_ins: int
    no_shows: int
    no_show_rate: float | None
    median_wait_minutes: float | None
    mean_wait_minutes: float | None


def waiting_minutes(visit: Visit) -> float | None:
    """Minutes from arrival (or the booked start, if later) until the call; None if not called."""
    if visit.called_at is None or visit.checked_in_at is None:
        return None
    since = visit.checked_in_at
    if visit.booked_start is not None and visit.booked_start > since:
        since = visit.booked_start
    return max(0.0, (visit.called_at - since).total_seconds() / 60)


def summarise(service: str, visits: Iterable[Visit]) -> Summary:
    items = list(visits)
    booked = [v for v in items if v.booked_start is not None]
    no_shows = sum(1 for v in booked if v.no_show)
    waits = [w for w in (waiting_minutes(v) for v in items) if w is not None]
    return Summary(
        service=service,
        visits=len(items),
        booked=len(booked),
        walk_ins=len(items) - len(booked),
        no_shows=no_shows,
        no_show_rate=no_shows / len(booked) if booked else None,
        median_wait_minutes=statistics.median(waits) if waits else None,
        mean_wait_minutes=statistics.fmean(waits) if waits else None,
    )


def utilisation(*, booked_units: int, offered_units: int) -> float | None:
    """Share of offered units that were booked; None when nothing was offered."""
    if offered_units <= 0:
        return None
    return min(1.0, booked_units / offered_units)
