"""Demo data of every part, loaded by ``rathaus demo`` after the demo city.

Each part names a loader in ``settings.RATHAUS_DEMO_PARTS``: a callable
``load_demo(*, seed: int, step: Step) -> str`` that creates its part's demo data where it is
missing (so that a second ``make run`` — or one after a new part was added — only fills gaps),
reports long work through ``step`` and returns a one-line German summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Step(Protocol):
    """``step(description, total)`` starts a progress bar; the returned callable advances it."""

    def __call__(self, description: str, total: int) -> Callable[[int], None]: ...


def quiet_step(description: str, total: int) -> Callable[[int], None]:
    """A :class:`Step` that shows nothing (tests, scripts)."""
    return lambda advance: None


def load_parts(*, seed: int, step: Step = quiet_step) -> Iterator[tuple[str, str]]:
    """Run every configured loader; yields (dotted path, summary) as each finishes."""
    for path in settings.RATHAUS_DEMO_PARTS:
        loader = import_string(path)
        yield path, str(loader(seed=seed, step=step))
