"""The parts of a plan file: what ``_read`` produces, ``_write`` writes and ``planchanges`` compares."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from ..schedule import DayException, WeeklyHours

FORMAT = "rathaus.appointments.plan/1"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_LABELS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
MAX_COUNTERS = 100
MAX_ENTRIES = 1000
COUNTER_NAME_LENGTH = 60
REASON_LENGTH = 200

SettingValue: TypeAlias = bool | int | datetime.time
Path: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True)
class Setting:
    """One key of ``[plan]``: the German label people read, its kind and range."""

    label: str
    kind: type
    lo: int = 0
    hi: int = 0


# The keys of [plan], named as the fields of the stored plan (appointments.OfficePlan).
SETTINGS: dict[str, Setting] = {
    "active": Setting("Online-Terminvergabe aktiv", bool),
    "slot_minutes": Setting("Zeiteinheit (Minuten)", int, 5, 240),
    "release_days": Setting("Freigabe: Tage im Voraus", int, 0, 365),
    "release_time": Setting("Freigabe: Uhrzeit", datetime.time),
    "min_lead_minutes": Setting("Mindestvorlauf (Minuten)", int, 0, 10080),
    "hold_minutes": Setting("Reservierung gilt (Minuten)", int, 1, 120),
    "verify_minutes": Setting("Bestätigungslink gilt (Minuten)", int, 5, 1440),
    "max_open_per_person": Setting("Höchstens offene Termine je Person und Leistung", int, 1, 20),
}


@dataclass(frozen=True)
class Offer:
    """A service offered online: its LeiKa key and its time at the counter."""

    leika: str
    duration_minutes: int
    buffer_minutes: int = 0
    name: str = field(default="", compare=False)


@dataclass(frozen=True)
class PlanFile:
    """A plan as a file holds it. ``None`` (and a missing ``settings`` key): not in the file."""

    office: str | None = None
    settings: Mapping[str, SettingValue] = field(default_factory=dict)
    counters: tuple[str, ...] | None = None
    hours: tuple[WeeklyHours, ...] | None = None
    exceptions: tuple[DayException, ...] | None = None
    offers: tuple[Offer, ...] | None = None


class PlanFileError(ValueError):
    """A plan file that cannot be used: ``message`` (German), the field's ``path``, the ``line``."""

    def __init__(self, message: str, *, path: Path = (), line: int | None = None) -> None:
        self.message, self.path, self.line = message, path, line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [f"Zeile {self.line}"] if self.line else []
        if self.path:
            where.append(describe_path(self.path))
        return f"{', '.join(where)}: {self.message}" if where else self.message


def describe_path(path: Path) -> str:
    """``("services", 2, "leika")`` → ``services[2].leika`` (entries counted from 1)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def span(opens: datetime.time, closes: datetime.time) -> str:
    """An opening interval as the file writes it: "08:00-12:00"."""
    return f"{opens:%H:%M}-{closes:%H:%M}"
