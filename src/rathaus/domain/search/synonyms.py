"""Synonym rules kept as data: colloquial words and the catalogue's words for them.

Format, one rule a line, ``#`` starts a comment:

    perso, personalausweis, ausweis          # equivalent: each finds the others
    ummelden, umziehen, umzug => wohnsitz anmelden   # one-way: left finds right

Each side is a comma-separated list of phrases; a phrase is one or more words. Words are
folded and stemmed like indexed text (``rathaus.domain.text``), so "Umzüge" meets "umzug".

Public: ``SynonymRule``, ``parse_synonyms``, ``Synonyms``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rathaus.domain.text import STOP_WORDS, stem, tokenize

__all__ = ["SynonymError", "SynonymRule", "Synonyms", "parse_synonyms"]

Phrase = tuple[str, ...]


class SynonymError(ValueError):
    """A line of a synonym file that cannot be read."""


@dataclass(frozen=True)
class SynonymRule:
    sources: tuple[Phrase, ...]
    targets: tuple[Phrase, ...]


def _phrase(text: str) -> Phrase:
    return tuple(stem(token) for token in tokenize(text) if token not in STOP_WORDS)


def parse_synonyms(text: str) -> list[SynonymRule]:
    """Rules of a synonym file; raises ``SynonymError`` naming the line of a broken rule."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("=>") > 1:
            raise SynonymError(f"Zeile {number}: mehr als ein '=>'.")
        left, arrow, right = line.partition("=>")
        sources = tuple(p for p in (_phrase(part) for part in left.split(",")) if p)
        targets = tuple(p for p in (_phrase(part) for part in right.split(",")) if p) if arrow else sources
        if not sources or not targets or (not arrow and len(sources) < 2):
            raise SynonymError(f"Zeile {number}: Regel ohne zwei Seiten: {raw.strip()!r}")
        rules.append(SynonymRule(sources=sources, targets=targets))
    return rules


@dataclass
class Synonyms:
    """Lookup from a stemmed phrase to the phrases it also stands for."""

    expansions: dict[Phrase, set[Phrase]] = field(default_factory=dict)
    longest: int = 1

    @classmethod
    def from_rules(cls, rules: Iterable[SynonymRule]) -> Synonyms:
        table = cls()
        for rule in rules:
            for source in rule.sources:
                alternatives = table.expansions.setdefault(source, set())
                alternatives.update(target for target in rule.targets if target != source)
                table.longest = max(table.longest, len(source))
        return table

    def match(self, stems: tuple[str, ...], start: int) -> tuple[int, tuple[Phrase, ...]]:
        """The longest phrase at ``stems[start:]`` with synonyms: (its length, the synonyms)."""
        for length in range(min(self.longest, len(stems) - start), 0, -1):
            phrase = stems[start : start + length]
            if phrase in self.expansions and self.expansions[phrase]:
                return length, tuple(sorted(self.expansions[phrase]))
        return 0, ()
