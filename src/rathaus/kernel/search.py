"""One full-text search over SQLite FTS5 (embedded) and PostgreSQL full-text (production).

Both backends share the German analysis in ``rathaus.domain.text`` (folding ä/ö/ü/ß,
Snowball German stems, stop words), applied in Python when indexing and when querying,
so "Strasse" finds "Straße", "Mueller" finds "Müller" and "Häuser" finds "Haus".
PostgreSQL additionally matches through the ``rathaus_german`` text search configuration
(german stemmer + unaccent), ranks with ``ts_rank`` over a GIN-indexed ``tsvector`` and
builds snippets with ``ts_headline``; SQLite ranks with FTS5's ``bm25``.

Queries are free text: operators are never interpreted, any input is safe, all words must
match and the last word also matches as a prefix (search as you type).

Public API: ``index_document``, ``remove_document``, ``search``, ``SearchResults``, ``Hit``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.safestring import SafeString, mark_safe

from rathaus.domain.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    QueryTerms,
    highlight,
    index_terms,
    query_terms,
    tokenize,
)

from .models import SearchDocument

__all__ = ["Hit", "SearchResults", "index_document", "remove_document", "search"]

# Only this much of a body is analysed: PostgreSQL's tsvector is limited to 1 MB and
# nobody needs word 50,000 of a document to find it.
MAX_INDEXED_CHARS = 200_000
MAX_LIMIT = 100
_START, _STOP = "\u27e6", "\u27e7"  # snippet markers, escaped and replaced by <mark>


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


def _clean(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text; the markers are reserved for snippets.
    return text.replace("\x00", " ").replace(_START, "[").replace(_STOP, "]")


def index_document(
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    url: str = "",
    visibility: str = "public",
    language: str = "de",
) -> SearchDocument:
    """Add a document to the index or replace the one with the same ``kind`` and ``key``.

    ``visibility`` is a free label ("public", "staff", …); ``search`` only returns
    documents whose visibility it is asked for. The analysis is German for every
    ``language`` (the city's content is German); the value is kept for later use.
    """
    title, body = _clean(title), _clean(body)
    with transaction.atomic():
        document, _ = SearchDocument.objects.update_or_create(
            kind=kind,
            key=key,
            defaults={
                "title": title,
                "body": body,
                "url": url,
                "visibility": visibility,
                "language": language,
            },
        )
        title_terms = " ".join(index_terms(title))
        body_terms = " ".join(index_terms(body[:MAX_INDEXED_CHARS]))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "UPDATE kernel_searchdocument SET search_vector ="
                    " setweight(to_tsvector('rathaus_german', %s) || to_tsvector('simple', %s), 'A')"
                    " || setweight(to_tsvector('rathaus_german', %s) || to_tsvector('simple', %s), 'B')"
                    " WHERE id = %s",
                    [title, title_terms, body[:MAX_INDEXED_CHARS], body_terms, document.pk],
                )
            else:
                cursor.execute("DELETE FROM kernel_search_fts WHERE rowid = %s", [document.pk])
                cursor.execute(
                    "INSERT INTO kernel_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                    [document.pk, title_terms, body_terms],
                )
    return document


def remove_document(*, kind: str, key: str) -> bool:
    """Remove a document from the index; returns whether there was one."""
    with transaction.atomic():
        document = SearchDocument.objects.filter(kind=kind, key=key).first()
        if document is None:
            return False
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM kernel_search_fts WHERE rowid = %s", [document.pk])
        document.delete()
    return True


def _placeholders(values: list[str]) -> str:
    return ", ".join(["%s"] * len(values))


def _filters(kinds: list[str] | None, visibility: list[str]) -> tuple[str, list[str]]:
    sql = f" AND d.visibility IN ({_placeholders(visibility)})"
    params = list(visibility)
    if kinds is not None:
        sql += f" AND d.kind IN ({_placeholders(kinds)})"
        params += kinds
    return sql, params


def _marked_html(text: str) -> SafeString:
    escaped = html.escape(text, quote=False)
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308 - escaped above


def _python_snippet(body: str, parsed: QueryTerms) -> SafeString:
    parts = [(_START + text + _STOP) if is_match else text for text, is_match in highlight(body, parsed)]
    return _marked_html("".join(parts))


def _fts5_query(parsed: QueryTerms) -> str:
    # Terms are letters and digits only (see domain.text), quoting is belt and braces.
    quoted = [f'"{term}"' for term in parsed.terms]
    if parsed.prefix is not None:
        quoted[-1] += "*"
    return " ".join(quoted)


def _tsquery(parsed: QueryTerms) -> str:
    quoted = [f"'{term}'" for term in parsed.terms]
    if parsed.prefix is not None:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _search_sqlite(
    parsed: QueryTerms, kinds: list[str] | None, visibility: list[str], limit: int, offset: int
) -> SearchResults:
    where, params = _filters(kinds, visibility)
    match = _fts5_query(parsed)
    base = (
        "FROM kernel_search_fts f JOIN kernel_searchdocument d ON d.id = f.rowid "
        f"WHERE kernel_search_fts MATCH %s{where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {base}", [match, *params])  # noqa: S608 - only placeholders
        total = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT d.kind, d.key, d.title, d.url, d.body, -bm25(kernel_search_fts, 3.0, 1.0) AS score "  # noqa: S608
            f"{base} ORDER BY score DESC, d.title, d.id LIMIT %s OFFSET %s",
            [match, *params, limit, offset],
        )
        rows = cursor.fetchall()
    hits = [
        Hit(kind, key, title, url, _python_snippet(body or title, parsed), float(score))
        for kind, key, title, url, body, score in rows
    ]
    return SearchResults(total=total, hits=hits)


def _search_postgresql(
    raw: str, parsed: QueryTerms, kinds: list[str] | None, visibility: list[str], limit: int, offset: int
) -> SearchResults:
    where, params = _filters(kinds, visibility)
    query_sql = "(websearch_to_tsquery('rathaus_german', %s) || to_tsquery('simple', %s))"
    query_params = [raw, _tsquery(parsed)]
    options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, ShortWord=2, HighlightAll=false"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM kernel_searchdocument d WHERE d.search_vector @@ {query_sql}{where}",  # noqa: S608
            [*query_params, *params],
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT kind, key, title, url, ts_headline('rathaus_german', "  # noqa: S608 - placeholders only
            "CASE WHEN body = '' THEN title ELSE left(body, %s) END, q, %s), score FROM ("
            f" SELECT d.*, q, ts_rank(d.search_vector, q) AS score FROM kernel_searchdocument d,"
            f" (SELECT {query_sql} AS q) query_row"
            f" WHERE d.search_vector @@ q{where}"
            " ORDER BY score DESC, d.title, d.id LIMIT %s OFFSET %s) ranked ORDER BY score DESC, title, id",
            [MAX_INDEXED_CHARS, options, *query_params, *params, limit, offset],
        )
        rows = cursor.fetchall()
    hits = [
        Hit(kind, key, title, url, _marked_html(snippet), float(score))
        for kind, key, title, url, snippet, score in rows
    ]
    return SearchResults(total=total, hits=hits)


def search(
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    visibility: Iterable[str] = ("public",),
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Documents matching every word of ``query``, best first.

    ``kinds`` restricts to some kinds (None: all); only documents whose visibility is in
    ``visibility`` are found (default: public only). ``limit`` is capped at 100.
    """
    raw = _clean(str(query)[:MAX_QUERY_CHARS])
    parsed = query_terms(raw)
    visible = [str(value) for value in visibility]
    kind_list = None if kinds is None else [str(value) for value in kinds]
    if parsed.is_empty or not visible or kind_list == []:
        return SearchResults(total=0, hits=[])
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    if connection.vendor == "postgresql":
        # Each word quoted: websearch_to_tsquery then reads no operator ("or", "-") in it.
        words = " ".join(f'"{token}"' for token in tokenize(raw)[: MAX_QUERY_TERMS * 2])
        return _search_postgresql(words, parsed, kind_list, visible, limit, offset)
    return _search_sqlite(parsed, kind_list, visible, limit, offset)
