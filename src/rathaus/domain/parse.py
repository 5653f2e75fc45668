"""Strict parsers for text that arrives from outside: query parameters, form fields, URL parts.

Python's own conversions are generous in ways that turn hostile input into crashes further in:
``"²".isdigit()`` is true but ``int("²")`` fails; ``int("٣")`` (an Arabic-Indic digit) is 3;
``int(" +1 ")`` is 1; ``int("1" * 30)`` is a number no database column holds;
``date.fromisoformat("9999-12-31")`` is a date to which no day can be added, and
``Decimal("NaN")`` or ``Decimal("1E+30")`` are "numbers" no amount column stores. Every edge
reads its input through these functions instead, so that anything else is refused with a German
message (``InputError``) before a service or database sees it.

The rules (OWASP ASVS 5.0 V2.2 "input validation": positive, allow-listed syntax and range):

* digits are the ASCII digits 0-9 only; no whitespace, no "+", no exponent, no grouping;
* a whole number has an inclusive range ``lo``..``hi`` given by the caller (``MAX_ID`` for
  database keys: a signed 64-bit integer, the range of SQLite's INTEGER and PostgreSQL's bigint);
* a date is ``YYYY-MM-DD`` (ISO 8601 calendar date, extended format) within ``earliest``..``latest``;
* a decimal is ``-?digits(.digits)?`` with at most ``max_digits`` digits of which at most
  ``decimal_places`` after the point (the shape of a SQL ``numeric(p, s)`` column); always finite.

Public names: ``InputError``, ``MAX_ID``, ``ascii_int``, ``ascii_int_list``, ``iso_date``,
``iso_datetime``, ``bounded_decimal``.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

__all__ = [
    "MAX_ID",
    "InputError",
    "ascii_int",
    "ascii_int_list",
    "bounded_decimal",
    "iso_date",
    "iso_datetime",
]

# The largest primary key: a signed 64-bit integer (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1

_INT = re.compile(r"-?[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Date, "T" or a space, hh:mm[:ss[.ffffff]], then "Z" or an offset ±hh:mm.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_DECIMAL = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")


class InputError(ValueError):
    """Input that does not have the expected shape or range; the message is German, for people."""


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{what} fehlt.")
    return value


def ascii_int(text: str, *, lo: int, hi: int, what: str = "Die Zahl") -> int:
    """A whole number written with ASCII digits (and a leading "-" only where ``lo`` < 0), in ``lo``..``hi``.

    Refuses "²", "٣", "+1", " 1", "1e3", "1_000", "" and anything outside the range; long inputs
    are refused by their length before ``int`` runs (``int`` of a long string costs quadratic time).
    """
    if lo > hi:
        raise ValueError(f"lo ({lo}) ist größer als hi ({hi}).")
    value = _text(text, what)
    longest = max(len(str(lo)), len(str(hi)))
    if len(value) > longest or not _INT.fullmatch(value) or (value.startswith("-") and lo >= 0):
        raise InputError(f"{what} muss eine ganze Zahl aus den Ziffern 0 bis 9 sein.")
    number = int(value)
    if not lo <= number <= hi:
        raise InputError(f"{what} muss zwischen {lo} und {hi} liegen.")
    return number


def ascii_int_list(
    text: str, *, lo: int, hi: int, max_items: int, separator: str = ",", what: str = "Die Liste"
) -> tuple[int, ...]:
    """Whole numbers separated by ``separator`` ("1,2,3"): each as ``ascii_int``, 1 to ``max_items``
    of them, duplicates kept in their order (the caller decides whether they matter)."""
    value = _text(text, what)
    parts = value.split(separator)
    if not value or len(parts) > max_items:
        raise InputError(f"{what} muss 1 bis {max_items} Einträge enthalten.")
    return tuple(ascii_int(part, lo=lo, hi=hi, what=what) for part in parts)


def iso_date(
    text: str, *, earliest: datetime.date, latest: datetime.date, what: str = "Das Datum"
) -> datetime.date:
    """A calendar date "YYYY-MM-DD" (ISO 8601) that exists and lies in ``earliest``..``latest``.

    Refuses "2026-02-30", "20261202", "2026-W49-3", " 2026-12-02" and dates out of range such as
    "9999-12-31" or "0001-01-01" (to which no day can be added or from which none subtracted).
    """
    value = _text(text, what)
    if not _DATE.fullmatch(value):
        raise InputError(f"{what} muss die Form JJJJ-MM-TT haben, z. B. 2026-12-02.")
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value} gibt es nicht im Kalender.") from None
    if not earliest <= day <= latest:
        raise InputError(f"{what} muss zwischen dem {earliest:%d.%m.%Y} und dem {latest:%d.%m.%Y} liegen.")
    return day


def iso_datetime(
    text: str, *, earliest: datetime.datetime, latest: datetime.datetime, what: str = "Der Zeitpunkt"
) -> datetime.datetime:
    """A moment "YYYY-MM-DDThh:mm[:ss[.ffffff]]" with "Z" or an offset, in ``earliest``..``latest``.

    ``earliest`` and ``latest`` must be aware; a moment without an offset is refused, since it
    names a different instant in every time zone.
    """
    if earliest.tzinfo is None or latest.tzinfo is None:
        raise ValueError("earliest und latest brauchen eine Zeitzone.")
    value = _text(text, what)
    if not _DATETIME.fullmatch(value):
        raise InputError(f"{what} muss die Form JJJJ-MM-TTThh:mm mit Zeitzone haben.")
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what} {value} gibt es nicht im Kalender.") from None
    if not earliest <= moment <= latest:
        raise InputError(f"{what} muss zwischen dem {earliest:%d.%m.%Y} und dem {latest:%d.%m.%Y} liegen.")
    return moment


def bounded_decimal(
    text: str,
    *,
    max_digits: int,
    decimal_places: int,
    lo: Decimal | None = None,
    hi: Decimal | None = None,
    what: str = "Die Zahl",
) -> Decimal:
    """A finite decimal "-?digits(.digits)?" that fits ``numeric(max_digits, decimal_places)``.

    Refuses "NaN", "Infinity", "1E+30", "1e400", "12.345" (with two places), "1,5", " 1" and
    values outside ``lo``..``hi`` (inclusive, where given). The result keeps its written scale.
    """
    value = _text(text, what)
    match = _DECIMAL.fullmatch(value) if len(value) <= max_digits + 2 else None
    if match is None:
        raise InputError(f"{what} muss eine Dezimalzahl aus den Ziffern 0 bis 9 sein, z. B. 12.50.")
    whole, fraction = match.group(1).lstrip("0"), match.group(2) or ""
    if len(fraction) > decimal_places:
        raise InputError(f"{what} darf höchstens {decimal_places} Nachkommastellen haben.")
    if len(whole) > max_digits - decimal_places:
        raise InputError(f"{what} darf höchstens {max_digits - decimal_places} Stellen vor dem Komma haben.")
    number = Decimal(value)
    if lo is not None and number < lo:
        raise InputError(f"{what} muss mindestens {lo} sein.")
    if hi is not None and number > hi:
        raise InputError(f"{what} darf höchstens {hi} sein.")
    return number
