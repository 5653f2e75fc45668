"""Search sources: the parts that put documents into the index, their facets and synonyms."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rathaus.domain.search.synonyms import Synonyms, parse_synonyms

from . import cache


@dataclass(frozen=True)
class SearchSource:
    """A kind of document some part puts into the index.

    ``label`` names the facet ("Leistungen"); ``reindex`` rebuilds all its documents and
    returns how many; ``synonyms`` is a synonym file (``rathaus.domain.search.synonyms``);
    ``order`` sorts facets and breaks ties between equally good hits (lower first).
    """

    kind: str
    label: str
    reindex: Callable[[], int] | None = None
    synonyms: Path | None = None
    order: int = 100


_SOURCES: dict[str, SearchSource] = {}


def register_source(source: SearchSource) -> None:
    """Register (or replace) the source of one ``kind``; call from ``AppConfig.ready``."""
    _SOURCES[source.kind] = source
    _synonyms.cache_clear()
    cache.forget_all()  # labels and synonyms are part of every cached answer


def sources() -> list[SearchSource]:
    """The registered sources, in facet order."""
    return sorted(_SOURCES.values(), key=lambda source: (source.order, source.kind))


def reindex(*, kinds: Iterable[str] | None = None, progress: Callable[[str, int], None] | None = None) -> int:
    """Rebuild the documents of the given (default: all) registered sources; returns the count."""
    wanted = None if kinds is None else set(kinds)
    total = 0
    for source in sources():
        if source.reindex is None or (wanted is not None and source.kind not in wanted):
            continue
        count = source.reindex()
        total += count
        if progress is not None:
            progress(source.kind, count)
    return total


@functools.lru_cache(maxsize=1)
def _synonyms() -> Synonyms:
    rules = []
    for source in sources():
        if source.synonyms is not None:
            rules.extend(parse_synonyms(source.synonyms.read_text(encoding="utf-8")))
    return Synonyms.from_rules(rules)
