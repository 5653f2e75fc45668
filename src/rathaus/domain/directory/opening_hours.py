"""Opening hours of an office: weekly slots, dated exceptions and public holidays.

An office is open on a day in the slots of its weekday, unless an exception for that date
says otherwise (closed, or other hours), and it is closed on public holidays of its state
unless an exception opens it. Holidays are passed in (the caller asks the ``holidays``
package for subdivision HB), so this module stays pure and testable.

Public: ``Slot``, ``DayHours``, ``OpeningHoursError``, ``validate_slots``, ``hours_on``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time

__all__ = ["DayHours", "OpeningHoursError", "Slot", "hours_on", "validate_slots"]


class OpeningHoursError(ValueError):
    """Opening hours that cannot be right: end before start, or overlapping slots."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, order=True)
class Slot:
    """One opening interval on a weekday (0 = Monday) or a date, ``opens`` < ``closes``."""

    opens: time
    closes: time
    weekday: int = -1


@dataclass(frozen=True)
class DayHours:
    """The hours of one date: empty ``slots`` means closed; ``reason`` says why if special."""

    day: date
    slots: tuple[Slot, ...]
    reason: str = ""

    @property
    def is_open_day(self) -> bool:
        return bool(self.slots)

    def is_open_at(self, moment: time) -> bool:
        return any(slot.opens <= moment < slot.closes for slot in self.slots)


def validate_slots(slots: Iterable[Slot]) -> None:
    """Raise ``OpeningHoursError`` if a slot ends before (or when) it starts, or two overlap.

    Slots touching end to start (08:00–12:00 and 12:00–14:00) do not overlap.
    """
    by_day: dict[int, list[Slot]] = {}
    for slot in slots:
        if not 0 <= slot.weekday <= 6 and slot.weekday != -1:
            raise OpeningHoursError(f"Wochentag {slot.weekday} gibt es nicht.", code="weekday")
        if slot.closes <= slot.opens:
            raise OpeningHoursError(
                f"Ende {slot.closes:%H:%M} liegt nicht nach Beginn {slot.opens:%H:%M}.",
                code="end_before_start",
            )
        by_day.setdefault(slot.weekday, []).append(slot)
    for day_slots in by_day.values():
        ordered = sorted(day_slots)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if later.opens < earlier.closes:
                raise OpeningHoursError(
                    f"{earlier.opens:%H:%M}–{earlier.closes:%H:%M} und "
                    f"{later.opens:%H:%M}–{later.closes:%H:%M} überschneiden sich.",
                    code="overlap",
                )


def hours_on(
    day: date,
    *,
    weekly: Iterable[Slot],
    exceptions: Mapping[date, tuple[tuple[Slot, ...], str]],
    holidays: Mapping[date, str],
) -> DayHours:
    """The hours of ``day``: an exception wins, then a holiday (closed), then the weekday slots."""
    if day in exceptions:
        slots, reason = exceptions[day]
        return DayHours(day=day, slots=tuple(sorted(slots)), reason=reason)
    if day in holidays:
        return DayHours(day=day, slots=(), reason=holidays[day])
    todays = tuple(sorted(slot for slot in weekly if slot.weekday == day.weekday()))
    return DayHours(day=day, slots=todays)
