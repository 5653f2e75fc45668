"""What applying a plan file (``planfile``) to an office's stored planning changes.

``changes(current, wanted, today=…)`` compares the stored plan (``current``, as a complete
``PlanFile``; None when the office has no planning yet) with a file: every part the file holds
replaces the stored part, every part it leaves out stays. Day exceptions before ``today`` are
history: the file's are left out (``past_days``) and the stored ones are never touched, so the
same file can be applied again months later. ``PlanChanges.lines()`` says in German what
would change, for ``--dry-run`` and for the report after applying; no changes means applying the
file again writes nothing (and records nothing in the audit log).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .planfile import SETTINGS, WEEKDAY_LABELS, Offer, PlanFile, SettingValue
from .schedule import DayException, Interval, WeeklyHours

__all__ = ["PlanChanges", "changes"]


@dataclass(frozen=True)
class PlanChanges:
    """The writes that turn the stored plan into the file's, and how to say them."""

    new_plan: bool = False
    settings: Mapping[str, SettingValue] = field(default_factory=dict)
    counters_on: tuple[str, ...] = ()
    counters_off: tuple[str, ...] = ()
    hours: tuple[WeeklyHours, ...] | None = None
    exceptions_drop: tuple[datetime.date, ...] = ()
    exceptions_add: tuple[DayException, ...] = ()
    offers_set: tuple[Offer, ...] = ()
    offers_off: tuple[str, ...] = ()
    past_days: tuple[datetime.date, ...] = ()
    _lines: tuple[str, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        """Whether anything would be written."""
        return bool(
            self.new_plan
            or self.settings
            or self.counters_on
            or self.counters_off
            or self.hours is not None
            or self.exceptions_drop
            or self.exceptions_add
            or self.offers_set
            or self.offers_off
        )

    def lines(self) -> list[str]:
        """One German sentence per change (and per exception left out as past)."""
        return list(self._lines)


def _intervals_text(intervals: Sequence[Interval]) -> str:
    return ", ".join(f"{i.opens:%H:%M}–{i.closes:%H:%M}" for i in intervals) or "geschlossen"


def _value_text(value: SettingValue) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, datetime.time):
        return f"{value:%H:%M} Uhr"
    return str(value)


def _settings(current: PlanFile | None, wanted: PlanFile) -> tuple[dict[str, SettingValue], list[str]]:
    stored = current.settings if current is not None else {}
    changed = {k: v for k, v in wanted.settings.items() if k not in stored or stored[k] != v}
    lines = []
    for name, value in changed.items():
        before = f"{_value_text(stored[name])} → " if name in stored else ""
        lines.append(f"{SETTINGS[name].label}: {before}{_value_text(value)}")
    return changed, lines


def _counters(
    current: PlanFile | None, wanted: PlanFile
) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    if wanted.counters is None:
        return (), (), []
    stored = current.counters or () if current is not None else ()
    on = tuple(name for name in wanted.counters if name not in stored)
    off = tuple(name for name in stored if name not in wanted.counters)
    lines = [f"Schalter „{name}“: in Betrieb" for name in on]
    lines += [f"Schalter „{name}“: abgeschaltet (gebuchte Termine bleiben)" for name in off]
    return on, off, lines


def _by_weekday(hours: Sequence[WeeklyHours]) -> list[tuple[Interval, ...]]:
    days: list[list[Interval]] = [[] for _ in WEEKDAY_LABELS]
    for item in hours:
        days[item.weekday].append(item.interval)
    return [tuple(sorted(day, key=lambda i: i.opens)) for day in days]


def _hours(current: PlanFile | None, wanted: PlanFile) -> tuple[tuple[WeeklyHours, ...] | None, list[str]]:
    if wanted.hours is None:
        return None, []
    before = _by_weekday(current.hours or () if current is not None else ())
    after = _by_weekday(wanted.hours)
    lines = [
        f"Öffnungszeiten {label}: {_intervals_text(old)} → {_intervals_text(new)}"
        for label, old, new in zip(WEEKDAY_LABELS, before, after, strict=True)
        if old != new
    ]
    return (wanted.hours if lines else None), lines


def _exception_text(exception: DayException) -> str:
    reason = f" ({exception.reason})" if exception.reason else ""
    return f"{_intervals_text(exception.intervals)}{reason}"


def _exceptions(
    current: PlanFile | None, wanted: PlanFile, today: datetime.date
) -> tuple[tuple[datetime.date, ...], tuple[DayException, ...], tuple[datetime.date, ...], list[str]]:
    if wanted.exceptions is None:
        return (), (), (), []
    stored = {e.day: e for e in (current.exceptions or () if current is not None else ()) if e.day >= today}
    past = tuple(e.day for e in wanted.exceptions if e.day < today)
    future = {e.day: e for e in wanted.exceptions if e.day >= today}
    drop: list[datetime.date] = []
    add: list[DayException] = []
    lines = []
    for day in sorted(set(stored) | set(future)):
        old, new = stored.get(day), future.get(day)
        if old is not None and new is not None and (old.intervals, old.reason) == (new.intervals, new.reason):
            continue
        if old is not None:
            drop.append(day)
        if new is not None:
            add.append(new)
        change = (
            f"{_exception_text(old)} → {_exception_text(new)}"
            if old is not None and new is not None
            else (f"neu, {_exception_text(new)}" if new is not None else "Ausnahme entfällt")
        )
        lines.append(f"Ausnahme am {day:%d.%m.%Y}: {change}")
    lines += [f"Ausnahme am {day:%d.%m.%Y} liegt in der Vergangenheit und wird übergangen" for day in past]
    return tuple(drop), tuple(add), past, lines


def _offer_text(offer: Offer) -> str:
    buffer = f" + {offer.buffer_minutes} Min. Puffer" if offer.buffer_minutes else ""
    return f"{offer.duration_minutes} Min.{buffer}"


def _offers(
    current: PlanFile | None, wanted: PlanFile
) -> tuple[tuple[Offer, ...], tuple[str, ...], list[str]]:
    if wanted.offers is None:
        return (), (), []
    stored = {o.leika: o for o in (current.offers or () if current is not None else ())}
    keys = {o.leika for o in wanted.offers}
    changed = tuple(o for o in wanted.offers if stored.get(o.leika) != o)
    off = tuple(key for key in stored if key not in keys)
    lines = []
    for offer in changed:
        old = stored.get(offer.leika)
        name = (old.name if old is not None else "") or offer.name
        label = f"Leistung {offer.leika}" + (f" ({name})" if name else "")
        before = f"{_offer_text(old)} → " if old is not None else "neu, "
        lines.append(f"{label}: {before}{_offer_text(offer)}")
    for key in off:
        name = stored[key].name
        lines.append(f"Leistung {key}" + (f" ({name})" if name else "") + ": nicht mehr online buchbar")
    return changed, off, lines


def changes(current: PlanFile | None, wanted: PlanFile, *, today: datetime.date) -> PlanChanges:
    """What applying ``wanted`` to ``current`` (None: no planning yet) writes, part by part."""
    settings, setting_lines = _settings(current, wanted)
    counters_on, counters_off, counter_lines = _counters(current, wanted)
    hours, hour_lines = _hours(current, wanted)
    drop, add, past, exception_lines = _exceptions(current, wanted, today)
    offers_set, offers_off, offer_lines = _offers(current, wanted)
    new_plan = current is None
    lines = ["Terminplanung wird angelegt"] if new_plan else []
    lines += setting_lines + counter_lines + hour_lines + exception_lines + offer_lines
    return PlanChanges(
        new_plan=new_plan,
        settings=settings,
        counters_on=counters_on,
        counters_off=counters_off,
        hours=hours,
        exceptions_drop=drop,
        exceptions_add=add,
        offers_set=offers_set,
        offers_off=offers_off,
        past_days=past,
        _lines=tuple(lines),
    )
