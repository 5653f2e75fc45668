"""Typo tolerance: vocabulary terms within a small edit distance of a query term.

Symmetric-delete lookup (the idea behind SymSpell): every vocabulary term is stored under
itself and the strings made by deleting one character; a query term is looked up the same
way, and the candidates found are confirmed with the optimal-string-alignment distance
(Damerau–Levenshtein with adjacent transpositions). Distance 1 is allowed from 4
characters, distance 2 from 8 characters (found when each side lost one character, or
the typed word has two extra ones).

Public: ``FuzzyIndex``, ``edit_distance``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["FuzzyIndex", "edit_distance"]

MIN_FUZZY = 4
MIN_FUZZY_2 = 8


def edit_distance(left: str, right: str) -> int:
    """Optimal string alignment distance between two strings."""
    rows, cols = len(left) + 1, len(right) + 1
    previous2: list[int] = []
    previous = list(range(cols))
    for i in range(1, rows):
        current = [i] + [0] * (cols - 1)
        for j in range(1, cols):
            cost = 0 if left[i - 1] == right[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and left[i - 1] == right[j - 2] and left[i - 2] == right[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _deletes(term: str) -> set[str]:
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


class FuzzyIndex:
    """Vocabulary terms reachable from a misspelt term."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.terms = frozenset(term for term in vocabulary if term and not term.isdigit())
        self._by_delete: dict[str, set[str]] = {}
        for term in self.terms:
            if len(term) < MIN_FUZZY - 1:
                continue
            self._by_delete.setdefault(term, set()).add(term)
            for variant in _deletes(term):
                self._by_delete.setdefault(variant, set()).add(term)

    def __contains__(self, term: object) -> bool:
        return term in self.terms

    def corrections(self, term: str, *, limit: int = 3) -> list[str]:
        """Up to ``limit`` vocabulary terms closest to ``term`` (never ``term`` itself)."""
        if len(term) < MIN_FUZZY or term.isdigit():
            return []
        max_distance = 2 if len(term) >= MIN_FUZZY_2 else 1
        keys = {term} | _deletes(term)
        if max_distance == 2:
            keys |= {second for first in _deletes(term) for second in _deletes(first)}
        candidates: set[str] = set()
        for key in keys:
            candidates |= self._by_delete.get(key, set())
        scored = []
        for candidate in candidates:
            if candidate == term:
                continue
            distance = edit_distance(term, candidate)
            if distance <= max_distance:
                scored.append((distance, abs(len(candidate) - len(term)), candidate))
        return [candidate for _, _, candidate in sorted(scored)[:limit]]
