"""What the parts of ``kernel.search`` share: limits, the hit types, cleaning, SQL filters, snippets."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from rathaus.domain.text import Highlighter, QueryTerms

# Only this much of a body is analysed: PostgreSQL's tsvector is limited to 1 MB and
# nobody needs word 50,000 of a document to find it.
MAX_INDEXED_CHARS = 200_000
MAX_LIMIT = 100
# Snippets are cut from the start of a body: the first match within these characters.
SNIPPET_SOURCE_CHARS = 2_000
START, STOP = "\u27e6", "\u27e7"  # snippet markers, escaped and replaced by <mark>


@dataclass(frozen=True)
class Hit:
    """One result; ``snippet`` is HTML-safe (escaped text with ``<mark>`` around matches)."""

    kind: str
    key: str
    title: str
    url: str
    snippet: SafeString
    rank: float


@dataclass(frozen=True)
class SearchResults:
    total: int
    hits: list[Hit] = field(default_factory=list)


def clean(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text; the markers are reserved for snippets.
    return text.replace("\x00", " ").replace(START, "[").replace(STOP, "]")


def placeholders(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def filters(kinds: list[str] | None, visibility: list[str]) -> tuple[str, list[str]]:
    sql = f" AND d.visibility IN ({placeholders(visibility)})"
    params = list(visibility)
    if kinds is not None:
        sql += f" AND d.kind IN ({placeholders(kinds)})"
        params += kinds
    return sql, params


def marked_html(text: str) -> SafeString:
    escaped = html.escape(text, quote=False)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308 - escaped above


def python_snippet(body: str, parsed: QueryTerms | Highlighter) -> SafeString:
    """The window of ``body`` around its first match, escaped, matches in ``<mark>``.

    Pass one ``Highlighter`` for all hits of a page: it remembers the words it has seen.
    """
    highlighter = parsed if isinstance(parsed, Highlighter) else Highlighter(parsed)
    parts = [(START + text + STOP) if is_match else text for text, is_match in highlighter(body)]
    return marked_html("".join(parts))
