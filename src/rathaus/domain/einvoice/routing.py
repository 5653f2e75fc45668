"""Choosing the receiving authority for a Leitweg-ID (BT-10) from a routing table.

A route maps either one exact Leitweg-ID or a prefix of Leitweg-IDs (e.g. ``04011000-123`` for
every fine address 123… of the city of Bremen) to an authority, valid from one day to another
(both inclusive; open-ended without an end). Rules, in order:

1. Only routes valid on the receipt day count.
2. An exact route beats every prefix route.
3. Among prefix routes the longest prefix wins (the most specific addressing).
4. Equal candidates: the one valid from the latest day wins (a newer assignment replaces an
   older one that was not ended).

Pure Python: the caller loads the candidate routes (``candidate_prefixes`` says which patterns
can match) and passes the day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["Route", "RoutePatternInvalid", "candidate_prefixes", "check_prefix", "choose_route"]

Match = Literal["exact", "prefix"]

_PREFIX = re.compile(r"^[0-9]{2,12}(?:-(?:[0-9A-Z]{1,30}(?:-[0-9]{0,2})?)?)?$")


class RoutePatternInvalid(ValueError):
    """A prefix that no Leitweg-ID can start with."""


@dataclass(frozen=True)
class Route:
    key: int
    pattern: str
    match: Match
    valid_from: dt.date
    valid_until: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)

    def matches(self, leitweg_id: str) -> bool:
        if self.match == "exact":
            return leitweg_id == self.pattern
        return leitweg_id.startswith(self.pattern)


def check_prefix(prefix: str) -> str:
    """The prefix upper-cased, or ``RoutePatternInvalid`` if it cannot begin a Leitweg-ID."""
    value = prefix.strip().upper()
    if not _PREFIX.fullmatch(value):
        raise RoutePatternInvalid(
            f"„{prefix}“ kann nicht der Anfang einer Leitweg-ID sein: erwartet werden 2 bis 12 Ziffern "
            "der Grobadressierung, optional gefolgt von „-“ und dem Anfang der Feinadressierung."
        )
    return value


def candidate_prefixes(leitweg_id: str) -> list[str]:
    """Every prefix of ``leitweg_id`` (at least two characters) a prefix route could have."""
    return [leitweg_id[:end] for end in range(2, len(leitweg_id) + 1)]


def choose_route(leitweg_id: str, routes: Iterable[Route], *, on: dt.date) -> Route | None:
    """The route that receives ``leitweg_id`` on day ``on``, or None (see module docstring)."""
    candidates = [r for r in routes if r.valid_on(on) and r.matches(leitweg_id)]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda r: (r.match == "exact", len(r.pattern), r.valid_from, r.key),
    )
