"""System check (``rathaus check``, run by ``make lint`` and at start-up): every form definition
loads; an invalid one is reported with its file and line."""

from __future__ import annotations

from typing import Any

from django.core import checks

from .registry import load_all


@checks.register()
def form_definitions_load(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    _, problems = load_all()
    return [
        checks.Error(str(problem), hint="docs/eforms-definitions.md", obj=str(problem.path), id="eforms.E001")
        for problem in problems
    ]
