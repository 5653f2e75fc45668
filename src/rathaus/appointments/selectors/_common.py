"""Time helpers shared by the app's selectors and services: Bremen's wall clock and holidays."""

from __future__ import annotations

import datetime
import functools

from django.utils import timezone

from rathaus.domain.appointments import schedule


def local_naive(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` as Bremen's wall-clock time without a zone (what the pure scheduler takes)."""
    return timezone.localtime(moment).replace(tzinfo=None)


def aware(local: datetime.datetime) -> datetime.datetime:
    """Bremen's wall-clock time ``local`` as an aware moment."""
    return timezone.make_aware(local)


def day_start(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in Bremen, aware."""
    return aware(datetime.datetime.combine(day, datetime.time()))


@functools.lru_cache(maxsize=16)
def _holidays(years: tuple[int, ...]) -> dict[datetime.date, str]:
    return schedule.bremen_holidays(years)


def holidays_for(*days: datetime.date) -> dict[datetime.date, str]:
    """Bremen's public holidays in the years of ``days`` and the year after each."""
    years = tuple(sorted({d.year for d in days} | {d.year + 1 for d in days}))
    return _holidays(years)
