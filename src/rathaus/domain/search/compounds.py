"""Splitting German compounds into known parts ("Gewerbeanmeldung" → gewerbe + anmeldung).

A compound is split only into parts from a word list (``data/compound_parts.txt``, folded,
one word a line), with the linking elements German uses between parts (Fugenelemente:
"Arbeit-s-amt", "Kind-er-geld", "Tag-es-mutter", "Sonne-n-schein"); the same endings
may close the word as inflection ("Anmeldungen"). The split with the
fewest parts wins; a word that is itself in the list is not split. Both the whole word and
its parts are indexed, so "gewerbe anmelden" finds "Gewerbeanmeldung" and the other way round.

Public: ``split_compound``, ``compound_parts_vocabulary``.
"""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["compound_parts_vocabulary", "split_compound"]

MIN_PART = 3
MIN_COMPOUND = 7
LINKS = ("", "s", "es", "n", "en", "e", "er")


@functools.lru_cache(maxsize=1)
def compound_parts_vocabulary() -> frozenset[str]:
    """The folded words compounds may be split into (shipped with this package)."""
    text = resources.files(__package__).joinpath("data/compound_parts.txt").read_text(encoding="utf-8")
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(word for word in words if len(word) >= MIN_PART)


def split_compound(token: str, vocabulary: frozenset[str] | None = None) -> tuple[str, ...]:
    """The parts of the folded ``token`` if it is a compound of known words, else ``()``."""
    words = compound_parts_vocabulary() if vocabulary is None else vocabulary
    if len(token) < MIN_COMPOUND or token in words:
        return ()
    return _split(token, words)


@functools.lru_cache(maxsize=50_000)
def _split_cached(token: str) -> tuple[str, ...]:
    return _best_split(token, compound_parts_vocabulary())


def _split(token: str, words: frozenset[str]) -> tuple[str, ...]:
    if words is compound_parts_vocabulary():
        return _split_cached(token)
    return _best_split(token, words)


def _best_split(token: str, words: frozenset[str]) -> tuple[str, ...]:
    # best[i]: fewest parts covering token[:i]; a part may be followed by a linking element.
    length = len(token)
    best: list[tuple[str, ...] | None] = [None] * (length + 1)
    best[0] = ()
    for start in range(length):
        current = best[start]
        if current is None:
            continue
        for end in range(start + MIN_PART, length + 1):
            part = token[start:end]
            if part not in words:
                continue
            for link in LINKS:
                stop = end + len(link)
                if stop > length or token[end:stop] != link:
                    continue
                candidate = (*current, part)
                existing = best[stop]
                if existing is None or len(candidate) < len(existing):
                    best[stop] = candidate
    result = best[length]
    return result if result is not None and len(result) >= 2 else ()
