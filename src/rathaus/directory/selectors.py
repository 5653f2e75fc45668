"""Reads for the directory.

Public: ``office_list``, ``office_by_id``, ``office_by_slug``, ``office_by_leitweg_id``,
``published_offices``, ``published_office``, ``published_services``, ``published_service``,
``most_used_services``, ``published_stamp``,
``published_life_situations``, ``published_life_situation``, ``life_situation_steps``,
``office_hours_on``, ``office_today``, ``office_week``, ``bremen_holidays``.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import holidays
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from rathaus.domain.directory.opening_hours import DayHours, Slot, hours_on
from rathaus.kernel import fragments

from .models import LifeSituation, LifeSituationService, Office, OpeningHours, Publication, Service

PUBLISHED = Publication.Status.PUBLISHED
# The source name of the directory's published entries in rathaus.kernel.fragments.
FRAGMENT_SOURCE = "directory"


def office_list(*, kind: str | None = None) -> QuerySet[Office]:
    """All offices by name, optionally only those of one ``Office.Kind``."""
    offices = Office.objects.select_related("parent").order_by("name")
    return offices.filter(kind=kind) if kind else offices


def office_by_slug(*, slug: str) -> Office | None:
    """The office with this slug, or None."""
    return Office.objects.select_related("parent").filter(slug=slug).first()


def office_by_id(*, office_id: int) -> Office | None:
    """The office with this id, or None."""
    return Office.objects.select_related("parent").filter(pk=office_id).first()


def office_by_leitweg_id(*, leitweg_id: str) -> Office | None:
    """The office that receives e-invoices under this Leitweg-ID (compared upper-case), or None."""
    return Office.objects.filter(leitweg_id=leitweg_id.strip().upper()).first()


def published_offices() -> QuerySet[Office]:
    return Office.objects.filter(status=PUBLISHED).select_related("parent").order_by("name")


def published_office(*, slug: str) -> Office | None:
    return (
        Office.objects.filter(status=PUBLISHED, slug=slug)
        .select_related("parent")
        .prefetch_related("opening_hours", "opening_exceptions")
        .first()
    )


def published_services() -> QuerySet[Service]:
    return Service.objects.filter(status=PUBLISHED).exclude(slug="").order_by("name")


def published_service(*, slug: str) -> Service | None:
    if not slug:
        return None
    open_offices = Office.objects.filter(status=PUBLISHED)
    open_offices = open_offices.prefetch_related("opening_hours", "opening_exceptions")
    offices = Prefetch("offices", queryset=open_offices)
    return Service.objects.filter(status=PUBLISHED, slug=slug).prefetch_related(offices).first()


def published_service_by_leika(*, leika_key: str) -> Service | None:
    """The published service with this LeiKa key, with its published offices (first: the one
    an online application goes to)."""
    offices = Prefetch("offices", queryset=Office.objects.filter(status=PUBLISHED).order_by("name"))
    return Service.objects.filter(status=PUBLISHED, leika_key=leika_key).prefetch_related(offices).first()


def published_stamp() -> str:
    """The version stamp of what the directory publishes: cached page fragments that show
    published offices, services or life situations are keyed by it (renewed on every change)."""
    return fragments.stamp(FRAGMENT_SOURCE)


def most_used_services(*, limit: int = 8) -> list[Service]:
    return list(published_services().order_by("-popularity", "name")[:limit])


def published_life_situations() -> QuerySet[LifeSituation]:
    return LifeSituation.objects.filter(status=PUBLISHED).order_by("position", "name")


def published_life_situation(*, slug: str) -> LifeSituation | None:
    return published_life_situations().filter(slug=slug).first()


def life_situation_steps(*, situation: LifeSituation) -> list[LifeSituationService]:
    """The published services of a life situation in order, each with its step note."""
    return list(
        LifeSituationService.objects.filter(life_situation=situation, service__status=PUBLISHED)
        .exclude(service__slug="")
        .select_related("service")
        .order_by("position")
    )


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> dict[dt.date, str]:
    # Bremen (HB): also Reformationstag (31 October) since 2018.
    return dict(holidays.country_holidays("DE", subdiv="HB", years=year, language="de").items())


def bremen_holidays(year: int) -> dict[dt.date, str]:
    """Public holidays in the state of Bremen in ``year``, by date, with German names."""
    return _holidays(year)


def _weekly(office: Office) -> list[Slot]:
    return [Slot(opens=h.opens, closes=h.closes, weekday=h.weekday) for h in office.opening_hours.all()]


def _exceptions(office: Office) -> dict[dt.date, tuple[tuple[Slot, ...], str]]:
    result: dict[dt.date, tuple[tuple[Slot, ...], str]] = {}
    for exception in office.opening_exceptions.all():
        slots, reason = result.get(exception.day, ((), exception.reason))
        if exception.opens is not None and exception.closes is not None:
            slots = (*slots, Slot(opens=exception.opens, closes=exception.closes))
        result[exception.day] = (slots, reason or exception.reason)
    return result


def office_hours_on(*, office: Office, day: dt.date) -> DayHours:
    """The office's hours on ``day``: exceptions, then Bremen's public holidays, then the week."""
    holidays_map = {**bremen_holidays(day.year)}
    return hours_on(day, weekly=_weekly(office), exceptions=_exceptions(office), holidays=holidays_map)


@dataclass(frozen=True)
class OfficeToday:
    """Whether the office is open at a moment, in Bremen's local time.

    ``state``: "open" (until ``change``), "opens_later" (today at ``change``, before opening or
    in a break), "closed_for_today" (after the last closing), "closed" (not open today at all).
    """

    today: DayHours
    state: str
    change: dt.time | None = None

    @property
    def open_now(self) -> bool:
        return self.state == "open"


def office_today(*, office: Office, now: dt.datetime) -> OfficeToday:
    """The office's state at ``now`` (any time zone; judged in Europe/Berlin, the office's own)."""
    local = timezone.localtime(now) if timezone.is_aware(now) else now
    moment = local.time().replace(tzinfo=None)
    hours = office_hours_on(office=office, day=local.date())
    if not hours.is_open_day:
        return OfficeToday(today=hours, state="closed")
    for slot in sorted(hours.slots):
        if slot.opens <= moment < slot.closes:
            return OfficeToday(today=hours, state="open", change=slot.closes)
        if moment < slot.opens:
            return OfficeToday(today=hours, state="opens_later", change=slot.opens)
    return OfficeToday(today=hours, state="closed_for_today")


@dataclass(frozen=True)
class WeekRow:
    weekday: int
    label: str
    slots: tuple[Slot, ...]


def office_week(*, office: Office) -> list[WeekRow]:
    """The regular weekly hours, Monday to Sunday (days without hours included)."""
    weekly = _weekly(office)
    return [
        WeekRow(weekday=value, label=str(label), slots=tuple(sorted(s for s in weekly if s.weekday == value)))
        for value, label in OpeningHours.Weekday.choices
    ]


def office_exceptions_ahead(*, office: Office, today: dt.date, days: int = 60) -> list[DayHours]:
    """Days in the next ``days`` with other hours than usual: exceptions and holidays."""
    result = []
    exceptions = _exceptions(office)
    weekly = _weekly(office)
    for offset in range(days):
        day = today + dt.timedelta(days=offset)
        holiday_map = bremen_holidays(day.year)
        if day in exceptions or (day in holiday_map and any(s.weekday == day.weekday() for s in weekly)):
            result.append(hours_on(day, weekly=weekly, exceptions=exceptions, holidays=holiday_map))
    return result
