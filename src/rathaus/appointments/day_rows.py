"""One entry of an office's day list as plain values, for the outputs other than the staff page:
``rathaus appointments day`` (table, CSV, JSON) and ``GET /api/v1/appointments/offices/{slug}/day``.
Read the list through ``services.day_list_read`` (which records the read); this only shapes it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from . import selectors
from .models import Appointment, Counter


@dataclass(frozen=True)
class DayService:
    id: int
    leika_key: str
    name: str


@dataclass(frozen=True)
class DayRow:
    """What staff see of one appointment or walk-in on the day list (times in local time)."""

    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    start: datetime.datetime | None
    end: datetime.datetime | None
    counter: str | None
    queue_number: str | None
    code: str
    name: str
    services: tuple[DayService, ...]

    @property
    def time_text(self) -> str:
        """ "09:00–09:15" in local time, or "ohne Termin" for a walk-in."""
        if self.start is None:
            return "ohne Termin"
        return f"{self.start:%H:%M}–{self.end:%H:%M}" if self.end else f"{self.start:%H:%M}"

    @property
    def services_text(self) -> str:
        return ", ".join(s.name for s in self.services)


def _row(item: Appointment) -> DayRow:
    return DayRow(
        id=item.pk,
        kind=item.kind,
        kind_label=str(item.get_kind_display()),
        status=item.status,
        status_label=str(item.get_status_display()),
        start=timezone.localtime(item.start) if item.start else None,
        end=timezone.localtime(item.end) if item.end else None,
        counter=item.counter.name if item.counter else None,
        queue_number=item.queue_number or None,
        code=item.code,
        name=item.name,
        services=tuple(DayService(s.pk, s.leika_key, s.name) for s in item.services.all()),
    )


def day_rows(lists: dict[Counter | None, list[Appointment]]) -> list[DayRow]:
    """The day list's entries in order (booked times by time, then walk-ins by arrival)."""
    return [_row(item) for item in selectors.day_list_in_order(lists)]
