"""Writing a plan file, so that reading it back gives the same plan."""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

from ..schedule import WeeklyHours
from ._model import FORMAT, SETTINGS, WEEKDAYS, PlanFile, SettingValue, span


def _string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, except DEL, which TOML wants escaped)."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _setting_value(value: SettingValue) -> bool | int | str:
    return f"{value:%H:%M}" if isinstance(value, datetime.time) else value


def _hours_by_day(hours: Sequence[WeeklyHours]) -> dict[str, list[str]]:
    return {
        name: [
            span(w.interval.opens, w.interval.closes)
            for w in sorted(hours, key=lambda w: w.interval.opens)
            if w.weekday == day
        ]
        for day, name in enumerate(WEEKDAYS)
    }


def _as_mapping(plan: PlanFile) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT}
    if plan.office is not None:
        data["office"] = plan.office
    if plan.counters is not None:
        data["counters"] = list(plan.counters)
    if plan.settings:
        data["plan"] = {k: _setting_value(plan.settings[k]) for k in SETTINGS if k in plan.settings}
    if plan.hours is not None:
        data["hours"] = _hours_by_day(plan.hours)
    if plan.exceptions is not None:
        data["exceptions"] = [
            {
                "day": e.day.isoformat(),
                "hours": [span(i.opens, i.closes) for i in e.intervals],
                "reason": e.reason,
            }
            for e in plan.exceptions
        ]
    if plan.offers is not None:
        data["services"] = [
            {
                "leika": o.leika,
                **({"name": o.name} if o.name else {}),
                "duration_minutes": o.duration_minutes,
                "buffer_minutes": o.buffer_minutes,
            }
            for o in plan.offers
        ]
    return data


def to_json(plan: PlanFile) -> str:
    """The plan as JSON (keys as in the TOML form)."""
    return json.dumps(_as_mapping(plan), ensure_ascii=False, indent=2) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def to_toml(plan: PlanFile) -> str:
    """The plan as TOML in the layout the module docstring shows (``locate`` finds its lines)."""
    data = _as_mapping(plan)
    lines = [f"{key} = {_toml_value(data[key])}" for key in ("format", "office", "counters") if key in data]
    # An empty array of tables has no [[…]] form: it is written as a key before the first table.
    lines += [f"{key} = []" for key in ("exceptions", "services") if data.get(key) == []]
    for table in ("plan", "hours"):
        if table in data:
            lines += ["", f"[{table}]", *(f"{k} = {_toml_value(v)}" for k, v in data[table].items())]
    for array in ("exceptions", "services"):
        for item in data.get(array) or []:
            lines += ["", f"[[{array}]]", *(f"{k} = {_toml_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"
