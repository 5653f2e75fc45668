"""A typed query, expanded: every word becomes a group of alternatives.

A group matches if one of its alternatives matches; an alternative matches if all its
terms match. Alternatives of a word are: the word itself (its stem; the last word also as
a prefix while the user types), its compound parts ("Gewerbeanmeldung" → gewerbe AND
anmeldung), the phrases a synonym rule gives it ("ummelden" → wohnsitz AND anmelden) and,
for a word the index does not know, the known words within a small edit distance.

``to_fts5`` and ``to_tsquery`` render only quoted stems (letters and digits, see
``rathaus.domain.text``) and the operators this module writes itself, so user input never
becomes query syntax.

Public: ``Term``, ``Group``, ``ExpandedQuery``, ``expand_query``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rathaus.domain.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    MIN_PREFIX_CHARS,
    STOP_WORDS,
    QueryTerms,
    stem,
    tokenize,
)

from .compounds import split_compound
from .fuzzy import FuzzyIndex
from .synonyms import Synonyms

__all__ = ["ExpandedQuery", "Group", "Term", "expand_query"]

_WORD_END = str.isalnum


@dataclass(frozen=True)
class Term:
    stem: str
    prefix: bool = False


Alternative = tuple[Term, ...]


@dataclass(frozen=True)
class Group:
    """What one typed word (or phrase) may match; ``typed`` is what the user wrote, folded."""

    typed: str
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class ExpandedQuery:
    groups: tuple[Group, ...]
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def _render(self, term: Callable[[Term], str], and_: str, or_: str, require_all: bool) -> str:
        rendered = []
        for group in self.groups:
            alternatives = []
            for alternative in group.alternatives:
                inner = and_.join(term(t) for t in alternative)
                alternatives.append(f"({inner})" if len(alternative) > 1 else inner)
            rendered.append("(" + or_.join(alternatives) + ")")
        return (and_ if require_all else or_).join(rendered)

    def to_fts5(self, *, require_all: bool = True) -> str:
        """An FTS5 MATCH expression (the index holds stems, see ``rathaus.domain.text``)."""
        return self._render(lambda t: f'"{t.stem}"' + ("*" if t.prefix else ""), " AND ", " OR ", require_all)

    def to_tsquery(self, *, require_all: bool = True) -> str:
        """A PostgreSQL ``to_tsquery('simple', …)`` expression over the same stems."""
        return self._render(lambda t: f"'{t.stem}'" + (":*" if t.prefix else ""), " & ", " | ", require_all)

    def highlight_terms(self) -> QueryTerms:
        """All stems as ``QueryTerms`` for ``rathaus.domain.text.highlight``."""
        stems: dict[str, None] = {}
        prefix = None
        for group in self.groups:
            for alternative in group.alternatives:
                for term in alternative:
                    stems.setdefault(term.stem, None)
                    if term.prefix:
                        prefix = term.stem
        terms = tuple(s for s in stems if s != prefix) + ((prefix,) if prefix else ())
        return QueryTerms(terms=terms, prefix=prefix)


def _parts(token: str) -> Alternative:
    parts = split_compound(token)
    return tuple(Term(stem(part)) for part in parts)


def _add(alternatives: list[Alternative], alternative: Alternative) -> None:
    if alternative and alternative not in alternatives:
        alternatives.append(alternative)


def expand_query(
    text: str,
    *,
    synonyms: Synonyms | None = None,
    fuzzy: FuzzyIndex | None = None,
) -> ExpandedQuery:
    """Expand free text typed by a user; never fails, whatever the input."""
    text = text[:MAX_QUERY_CHARS]
    tokens = [token for token in tokenize(text) if token not in STOP_WORDS][:MAX_QUERY_TERMS]
    if not tokens:
        return ExpandedQuery(groups=())
    stems = tuple(stem(token) for token in tokens)
    last_is_prefix = bool(text) and _WORD_END(text[-1]) and len(tokens[-1]) >= MIN_PREFIX_CHARS
    table = synonyms or Synonyms()
    groups: list[Group] = []
    corrections: list[tuple[str, str]] = []
    position = 0
    while position < len(stems):
        length, phrases = table.match(stems, position)
        length = max(length, 1)
        is_last = position + length == len(stems)
        words = tokens[position : position + length]
        own = tuple(
            Term(s, prefix=last_is_prefix and is_last and index == length - 1)
            for index, s in enumerate(stems[position : position + length])
        )
        alternatives: list[Alternative] = [own]
        for phrase in phrases:
            _add(alternatives, tuple(Term(s) for s in phrase))
        if length == 1:
            token, own_stem = words[0], stems[position]
            _add(alternatives, _parts(token))
            if fuzzy is not None and not _known(own_stem, own[0].prefix, fuzzy):
                for corrected in fuzzy.corrections(own_stem):
                    corrections.append((token, corrected))
                    _add(alternatives, (Term(corrected),))
                    for phrase in table.match((corrected,), 0)[1]:
                        _add(alternatives, tuple(Term(s) for s in phrase))
        groups.append(Group(typed=" ".join(words), alternatives=tuple(alternatives)))
        position += length
    return ExpandedQuery(groups=tuple(groups), corrections=tuple(corrections))


def _known(term: str, prefix: bool, fuzzy: FuzzyIndex) -> bool:
    if term in fuzzy:
        return True
    return prefix and any(known.startswith(term) for known in fuzzy.terms)
