"""An office's appointment planning as a file (format ``rathaus.appointments.plan/1``), for
``rathaus appointments plan``: read from TOML or JSON, checked, and written back.

The file says how the office hands out appointments; each part it contains replaces that part
of the stored planning, a part it leaves out stays as it is::

    format = "rathaus.appointments.plan/1"
    office = "buergeramt-mitte"            # optional; must then be the office it is applied to
    counters = ["Schalter 1", "Schalter 2"]

    [plan]                                  # each key optional (a new plan: the defaults)
    active = true
    slot_minutes = 15
    release_days = 28
    release_time = "08:00"
    min_lead_minutes = 60
    hold_minutes = 10
    verify_minutes = 30
    max_open_per_person = 1

    [hours]                                 # weekdays left out are closed
    monday = ["08:00-12:00", "13:00-16:00"] # several intervals: a lunch break

    [[exceptions]]                          # days from today on; "hours" empty or absent: closed
    day = "2026-12-24"
    reason = "Heiligabend"

    [[services]]                            # offered online, by LeiKa key
    leika = "99102019000000"
    name = "Reisepass beantragen"           # for people reading the file; not read
    duration_minutes = 15
    buffer_minutes = 5

JSON has the same keys (``{"format": …, "plan": {…}, "hours": {…}, "exceptions": […], …}``).
A file that breaks a rule gives ``PlanFileError``: a German message naming the field
(``services[2].duration_minutes``; entries counted from 1) and, in TOML, the line where it can
be found. ``to_toml``/``to_json`` write a ``PlanFile`` so that reading it back gives the same
plan. What applying a file would change is ``planchanges.changes``. Import from this package,
not from its modules (``_model``: the parts, ``_read``: reading and ``locate``, ``_write``).
"""

from __future__ import annotations

from ._model import (
    FORMAT,
    SETTINGS,
    WEEKDAY_LABELS,
    WEEKDAYS,
    Offer,
    PlanFile,
    PlanFileError,
    Setting,
    SettingValue,
    describe_path,
)
from ._read import locate, parse, parse_json, parse_toml, plan_from_mapping
from ._write import to_json, to_toml

__all__ = [
    "FORMAT",
    "SETTINGS",
    "WEEKDAYS",
    "WEEKDAY_LABELS",
    "Offer",
    "PlanFile",
    "PlanFileError",
    "Setting",
    "SettingValue",
    "describe_path",
    "locate",
    "parse",
    "parse_json",
    "parse_toml",
    "plan_from_mapping",
    "to_json",
    "to_toml",
]
