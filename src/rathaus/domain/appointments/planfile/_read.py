"""Reading a plan file: TOML or JSON, every field checked, a bad one named with its path and,
in TOML, its line (``locate``)."""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..schedule import DayException, Interval, WeeklyHours
from ._model import (
    COUNTER_NAME_LENGTH,
    FORMAT,
    MAX_COUNTERS,
    MAX_ENTRIES,
    REASON_LENGTH,
    SETTINGS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    Offer,
    Path,
    PlanFile,
    PlanFileError,
    SettingValue,
    span,
)

_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_INTERVAL = re.compile(r"\s*([0-9]{2}:[0-9]{2})\s*[-–]\s*([0-9]{2}:[0-9]{2})\s*")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LEIKA = re.compile(r"[0-9]{14}")
_TOP_KEYS = ("format", "office", "counters", "plan", "hours", "exceptions", "services")


def _fail(path: Path, message: str) -> PlanFileError:
    return PlanFileError(message, path=path)


def _keys(data: Mapping[str, Any], allowed: Sequence[str], path: Path) -> None:
    for key in data:
        if key not in allowed:
            raise _fail(
                (*path, str(key)), f"Unbekannter Eintrag „{key}“. Erlaubt sind: {', '.join(allowed)}."
            )


def _table(value: object, path: Path, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"{what} muss eine Tabelle mit Schlüsseln sein.")
    return value


def _list(value: object, path: Path, what: str, *, most: int = MAX_ENTRIES) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, f"{what} muss eine Liste sein, z. B. [ … ].")
    if len(value) > most:
        raise _fail(path, f"{what} darf höchstens {most} Einträge haben.")
    return value


def _text(value: object, path: Path, what: str, *, longest: int, blank: bool = False) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"{what} muss ein Text in Anführungszeichen sein.")
    text = value.strip()
    if not text and not blank:
        raise _fail(path, f"{what} darf nicht leer sein.")
    if len(text) > longest:
        raise _fail(path, f"{what} darf höchstens {longest} Zeichen lang sein.")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _fail(path, f"{what} darf keine Steuerzeichen enthalten.")
    return text


def _whole(value: object, path: Path, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"{what} muss eine ganze Zahl ohne Anführungszeichen sein.")
    if not lo <= value <= hi:
        raise _fail(path, f"{what} muss zwischen {lo} und {hi} liegen (ist {value}).")
    return value


def _time(value: object, path: Path, what: str) -> datetime.time:
    if isinstance(value, datetime.time):
        value = value.strftime("%H:%M") if not value.second and not value.microsecond else "-"
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _fail(path, f"{what} muss eine Uhrzeit „HH:MM“ von 00:00 bis 23:59 sein.")
    return datetime.time(int(match.group(1)), int(match.group(2)))


def _interval(value: object, path: Path) -> Interval:
    match = _INTERVAL.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _fail(path, "Eine Öffnungszeit muss die Form „HH:MM-HH:MM“ haben, z. B. „08:00-12:00“.")
    opens = _time(match.group(1), path, "Der Beginn")
    closes = _time(match.group(2), path, "Das Ende")
    if opens >= closes:
        raise _fail(path, f"Die Öffnungszeit {span(opens, closes)} endet nicht nach ihrem Beginn.")
    return Interval(opens, closes)


def _intervals(value: object, path: Path, what: str) -> tuple[Interval, ...]:
    intervals = [_interval(item, (*path, n)) for n, item in enumerate(_list(value, path, what, most=12), 1)]
    ordered = sorted(intervals, key=lambda i: i.opens)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.opens < before.closes:
            raise _fail(
                path,
                f"Die Öffnungszeiten {span(before.opens, before.closes)} und "
                f"{span(after.opens, after.closes)} überschneiden sich.",
            )
    return tuple(ordered)


def _day(value: object, path: Path) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _fail(path, "Der Tag muss die Form JJJJ-MM-TT haben, z. B. „2026-12-24“.")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _fail(path, f"Den Tag {value} gibt es nicht im Kalender.") from None


def _settings(value: object) -> dict[str, SettingValue]:
    data = _table(value, ("plan",), "[plan]")
    _keys(data, list(SETTINGS), ("plan",))
    found: dict[str, SettingValue] = {}
    for name, setting in SETTINGS.items():
        if name not in data:
            continue
        path: Path = ("plan", name)
        what = f"„{setting.label}“"
        if setting.kind is bool:
            if not isinstance(data[name], bool):
                raise _fail(path, f"{what} muss true oder false sein.")
            found[name] = data[name]
        elif setting.kind is datetime.time:
            found[name] = _time(data[name], path, what)
        else:
            found[name] = _whole(data[name], path, what, setting.lo, setting.hi)
    return found


def _counters(value: object) -> tuple[str, ...]:
    items = _list(value, ("counters",), "„counters“", most=MAX_COUNTERS)
    if not items:
        raise _fail(("counters",), "Es braucht mindestens einen Schalter.")
    names: list[str] = []
    for n, item in enumerate(items, 1):
        name = _text(item, ("counters", n), "Der Name des Schalters", longest=COUNTER_NAME_LENGTH)
        if name in names:
            raise _fail(("counters", n), f"Den Schalter „{name}“ gibt es in der Liste zweimal.")
        names.append(name)
    return tuple(names)


def _hours(value: object) -> tuple[WeeklyHours, ...]:
    data = _table(value, ("hours",), "[hours]")
    _keys(data, WEEKDAYS, ("hours",))
    weekly: list[WeeklyHours] = []
    for weekday, name in enumerate(WEEKDAYS):
        label = f"Die Öffnungszeiten am {WEEKDAY_LABELS[weekday]}"
        for interval in _intervals(data.get(name, []), ("hours", name), label):
            weekly.append(WeeklyHours(weekday, interval))
    return tuple(weekly)


def _exceptions(value: object) -> tuple[DayException, ...]:
    found: dict[datetime.date, DayException] = {}
    for n, item in enumerate(_list(value, ("exceptions",), "„exceptions“"), 1):
        path: Path = ("exceptions", n)
        data = _table(item, path, "Eine Ausnahme")
        _keys(data, ("day", "hours", "reason"), path)
        if "day" not in data:
            raise _fail(path, "Der Ausnahme fehlt der Tag („day“).")
        day = _day(data["day"], (*path, "day"))
        if day in found:
            raise _fail((*path, "day"), f"Für den {day:%d.%m.%Y} gibt es schon eine Ausnahme.")
        intervals = _intervals(data.get("hours", []), (*path, "hours"), "Die Öffnungszeiten des Tages")
        reason = _text(
            data.get("reason", ""), (*path, "reason"), "Der Grund", longest=REASON_LENGTH, blank=True
        )
        found[day] = DayException(day, intervals, reason)
    return tuple(sorted(found.values(), key=lambda e: e.day))


def _offers(value: object) -> tuple[Offer, ...]:
    offers: list[Offer] = []
    for n, item in enumerate(_list(value, ("services",), "„services“"), 1):
        path: Path = ("services", n)
        data = _table(item, path, "Eine Leistung")
        _keys(data, ("leika", "name", "duration_minutes", "buffer_minutes"), path)
        for required in ("leika", "duration_minutes"):
            if required not in data:
                raise _fail(path, f"Der Leistung fehlt „{required}“.")
        leika = data["leika"]
        if not isinstance(leika, str) or not _LEIKA.fullmatch(leika):
            raise _fail(
                (*path, "leika"), "Der LeiKa-Schlüssel muss aus 14 Ziffern bestehen (in Anführungszeichen)."
            )
        if any(o.leika == leika for o in offers):
            raise _fail((*path, "leika"), f"Die Leistung {leika} steht zweimal in der Datei.")
        offers.append(
            Offer(
                leika=leika,
                duration_minutes=_whole(
                    data["duration_minutes"], (*path, "duration_minutes"), "Die Dauer", 1, 480
                ),
                buffer_minutes=_whole(
                    data.get("buffer_minutes", 0), (*path, "buffer_minutes"), "Der Puffer", 0, 240
                ),
                name=_text(data.get("name", ""), (*path, "name"), "Der Name", longest=300, blank=True),
            )
        )
    return tuple(offers)


def plan_from_mapping(data: object) -> PlanFile:
    """The plan a decoded file (TOML or JSON) describes; ``PlanFileError`` naming the first bad field."""
    document = _table(data, (), "Die Datei")
    _keys(document, _TOP_KEYS, ())
    if "format" in document and document["format"] != FORMAT:
        raise _fail(("format",), f"Unbekanntes Format „{document['format']}“; erwartet wird „{FORMAT}“.")
    office = None
    if "office" in document:
        office = _text(document["office"], ("office",), "Die Dienststelle", longest=80)
    readers: dict[str, Callable[[object], Any]] = {
        "counters": _counters,
        "hours": _hours,
        "exceptions": _exceptions,
        "services": _offers,
    }
    parts = {key: reader(document[key]) for key, reader in readers.items() if key in document}
    return PlanFile(
        office=office,
        settings=_settings(document["plan"]) if "plan" in document else {},
        counters=parts.get("counters"),
        hours=parts.get("hours"),
        exceptions=parts.get("exceptions"),
        offers=parts.get("services"),
    )


_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


# What Python's readers refuse beyond syntax: a number of more than 4,300 digits, nesting deeper
# than the interpreter's recursion limit.
_UNREADABLE = "Die Datei ist kein brauchbares %s: eine Zahl ist zu lang oder die Datei zu tief verschachtelt."


def parse_toml(text: str) -> PlanFile:
    """Read a plan from TOML; a bad field is named with its line where it can be found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        line = int(found.group(1)) if found else None
        raise PlanFileError(
            f"Die Datei ist kein gültiges TOML ({_TOML_LINE.sub('', str(error)).strip()}).", line=line
        ) from None
    except (ValueError, RecursionError):
        raise PlanFileError(_UNREADABLE % "TOML") from None
    try:
        return plan_from_mapping(data)
    except PlanFileError as error:
        raise PlanFileError(error.message, path=error.path, line=locate(text, error.path)) from None


def parse_json(text: str) -> PlanFile:
    """Read a plan from JSON; a syntax error is named with its line, a bad field with its path."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except PlanFileError:
        raise
    except json.JSONDecodeError as error:
        raise PlanFileError(
            f"Die Datei ist kein gültiges JSON ({error.msg}, Spalte {error.colno}).", line=error.lineno
        ) from None
    except (ValueError, RecursionError):
        raise PlanFileError(_UNREADABLE % "JSON") from None
    return plan_from_mapping(data)


def _no_constant(name: str) -> object:
    raise PlanFileError(f"„{name}“ ist in der Datei nicht erlaubt.")


def parse(text: str, *, form: str) -> PlanFile:
    """Read a plan written as ``form`` ("toml" or "json")."""
    if form not in ("toml", "json"):
        raise ValueError(f"unknown form {form!r}")
    return parse_json(text) if form == "json" else parse_toml(text)


# --- Where a field is written (TOML, best effort) ----------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_-]+)\s*\]\]?\s*(#.*)?")


def locate(text: str, path: Path) -> int | None:
    """The line (from 1) of the field ``path`` in a TOML plan written in the usual layout (one
    table per ``[plan]``/``[hours]`` header, one ``[[services]]`` header per entry); for a field the
    entry lacks, the line of the entry's header; None where it cannot be told."""
    if not path:
        return None
    head = str(path[0])
    section, entry, key = "", 0, head
    if head in ("plan", "hours"):
        section, key = head, str(path[1]) if len(path) > 1 else ""
    elif head in ("exceptions", "services") and len(path) > 1 and isinstance(path[1], int):
        section, entry, key = head, path[1], str(path[2]) if len(path) > 2 else ""
    assignment = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=") if key else None
    current, header_line = "", None
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.fullmatch(line)
        if header:
            current = header.group(2)
            if not section and current == key:
                return number  # a table where a plain key belongs (e.g. an unknown [table])
            counts[current] = counts.get(current, 0) + 1
            if current == section and counts[current] == max(entry, 1):
                header_line = number
            continue
        in_place = current == section and (not entry or counts.get(current) == entry)
        if in_place and assignment is not None and assignment.match(line):
            return number
    return header_line
