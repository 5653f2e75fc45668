"""Bookable time units of an office, from its planning.

An office's day is cut into units of ``slot_minutes`` inside its opening intervals; each
counter has its own units. A visit needs as many consecutive units on one counter as its
services take together (durations add up, plus one buffer: the largest of the services'
buffers, for the counter to finish the visit before the next one). Units of a day are
released ``release_days`` before it at ``release_time`` (local time), so that everyone
knows when new appointments appear.

Public holidays are those of the Freie Hansestadt Bremen (subdivision HB of the
``holidays`` package: Neujahr, Karfreitag, Ostermontag, 1. Mai, Christi Himmelfahrt,
Pfingstmontag, 3. Oktober, Reformationstag (since 2018, § 2 Feiertagsgesetz Bremen),
1. und 2. Weihnachtstag). An office closes on them unless a day exception opens it.

All datetimes here are naive local wall-clock times (Europe/Berlin).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

import holidays as holidays_package


@dataclass(frozen=True)
class Interval:
    """One opening interval of a day, ``opens`` inclusive, ``closes`` exclusive."""

    opens: time
    closes: time

    def __post_init__(self) -> None:
        if self.opens >= self.closes:
            raise ValueError(f"opening interval {self.opens}–{self.closes} is empty")


@dataclass(frozen=True)
class WeeklyHours:
    """Regular opening hours: ``weekday`` 0 = Monday … 6 = Sunday (``date.weekday()``)."""

    weekday: int
    interval: Interval

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0..6")


@dataclass(frozen=True)
class DayException:
    """A day that differs from the weekly hours: no intervals = closed, else these hours."""

    day: date
    intervals: tuple[Interval, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class ServiceTime:
    """How long one service takes at the counter, and the buffer it needs afterwards."""

    duration_minutes: int
    buffer_minutes: int = 0

    def __post_init__(self) -> None:
        if self.duration_minutes <= 0 or self.buffer_minutes < 0:
            raise ValueError("duration must be positive and buffer not negative")


@dataclass(frozen=True)
class Plan:
    """An office's planning as the scheduler needs it."""

    slot_minutes: int
    weekly: tuple[WeeklyHours, ...]
    exceptions: tuple[DayException, ...] = ()
    release_days: int = 28
    release_time: time = time(8, 0)
    # Appointments must start at least this long after "now" (time to get there).
    min_lead_minutes: int = 60
    _exceptions_by_day: dict[date, DayException] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 5 <= self.slot_minutes <= 240:
            raise ValueError("slot_minutes must be 5..240")
        if self.release_days < 0 or self.min_lead_minutes < 0:
            raise ValueError("release_days and min_lead_minutes must not be negative")
        object.__setattr__(self, "_exceptions_by_day", {e.day: e for e in self.exceptions})

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)

    def exception_on(self, day: date) -> DayException | None:
        return self._exceptions_by_day.get(day)


class Refusal(StrEnum):
    """Why a requested start time cannot be booked."""

    PAST = "past"
    NOT_RELEASED = "not_released"
    HOLIDAY = "holiday"
    CLOSED = "closed"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"
    RUNS_PAST_CLOSING = "runs_past_closing"


def bremen_holidays(years: Iterable[int]) -> dict[date, str]:
    """Public holidays in Bremen (HB) in ``years``, with their German names."""
    found = holidays_package.country_holidays("DE", subdiv="HB", years=list(years), language="de")
    return {day: str(name) for day, name in found.items()}


def opening_intervals(plan: Plan, day: date, holidays: Mapping[date, str]) -> tuple[Interval, ...]:
    """The day's opening intervals, in order: a day exception wins, then holidays close."""
    exception = plan.exception_on(day)
    if exception is not None:
        return tuple(sorted(exception.intervals, key=lambda i: i.opens))
    if day in holidays:
        return ()
    weekday = day.weekday()
    return tuple(sorted((w.interval for w in plan.weekly if w.weekday == weekday), key=lambda i: i.opens))


def day_units(plan: Plan, day: date, holidays: Mapping[date, str]) -> list[tuple[datetime, datetime]]:
    """Start and end of every whole unit that fits into the day's opening intervals."""
    units: list[tuple[datetime, datetime]] = []
    for interval in opening_intervals(plan, day, holidays):
        start = datetime.combine(day, interval.opens)
        closes = datetime.combine(day, interval.closes)
        while start + plan.slot <= closes:
            units.append((start, start + plan.slot))
            start += plan.slot
    return units


def units_needed(services: Sequence[ServiceTime], *, slot_minutes: int) -> int:
    """Consecutive units for one visit with ``services``: durations add up, plus the largest buffer."""
    if not services:
        raise ValueError("a visit needs at least one service")
    total = sum(s.duration_minutes for s in services) + max(s.buffer_minutes for s in services)
    return max(1, math.ceil(total / slot_minutes))


def release_moment(plan: Plan, day: date) -> datetime:
    """When the units of ``day`` become bookable."""
    return datetime.combine(day - timedelta(days=plan.release_days), plan.release_time)


def last_released_day(plan: Plan, now: datetime) -> date:
    """The latest day whose units are released at ``now``."""
    day = now.date() + timedelta(days=plan.release_days)
    return day if now >= release_moment(plan, day) else day - timedelta(days=1)


def earliest_start(plan: Plan, now: datetime) -> datetime:
    """No appointment may start before this."""
    return now + timedelta(minutes=plan.min_lead_minutes)


def check_start(
    plan: Plan, *, start: datetime, units: int, now: datetime, holidays: Mapping[date, str]
) -> Refusal | None:
    """None if a visit of ``units`` units may start at ``start``; else why not."""
    if start < earliest_start(plan, now):
        return Refusal.PAST
    day = start.date()
    if now < release_moment(plan, day):
        return Refusal.NOT_RELEASED
    intervals = opening_intervals(plan, day, holidays)
    if not intervals:
        return Refusal.HOLIDAY if day in holidays and plan.exception_on(day) is None else Refusal.CLOSED
    end = start + units * plan.slot
    for interval in intervals:
        opens = datetime.combine(day, interval.opens)
        closes = datetime.combine(day, interval.closes)
        if opens <= start < closes:
            if (start - opens) % plan.slot:
                return Refusal.OFF_GRID
            return None if end <= closes else Refusal.RUNS_PAST_CLOSING
    return Refusal.OUTSIDE_HOURS


def run_starts(free_starts: Sequence[datetime], *, slot_minutes: int, units: int) -> list[datetime]:
    """Starts of ``units`` consecutive free units, given the sorted free unit starts of one counter."""
    if units < 1:
        raise ValueError("units must be at least 1")
    step = timedelta(minutes=slot_minutes)
    found: list[datetime] = []
    run_begin = 0
    for index, start in enumerate(free_starts):
        if index and start - free_starts[index - 1] != step:
            run_begin = index
        if index - run_begin + 1 >= units:
            found.append(free_starts[index - units + 1])
    return found
