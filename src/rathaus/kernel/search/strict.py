"""``search``: every word must match (the E-Akte's search), SQLite FTS5 or PostgreSQL full-text."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from rathaus.domain.text import MAX_QUERY_CHARS, MAX_QUERY_TERMS, QueryTerms, query_terms, tokenize

from ._common import (
    MAX_INDEXED_CHARS,
    MAX_LIMIT,
    START,
    STOP,
    Hit,
    SearchResults,
    clean,
    filters,
    marked_html,
    python_snippet,
)


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
    where, params = filters(kinds, visibility)
    match = _fts5_query(parsed)
    base = (
        "FROM kernel_search_fts f CROSS JOIN kernel_searchdocument d ON d.id = f.rowid "
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
        Hit(kind, key, title, url, python_snippet(body or title, parsed), float(score))
        for kind, key, title, url, body, score in rows
    ]
    return SearchResults(total=total, hits=hits)


def _search_postgresql(
    raw: str, parsed: QueryTerms, kinds: list[str] | None, visibility: list[str], limit: int, offset: int
) -> SearchResults:
    where, params = filters(kinds, visibility)
    query_sql = "(websearch_to_tsquery('rathaus_german', %s) || to_tsquery('simple', %s))"
    query_params = [raw, _tsquery(parsed)]
    options = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, ShortWord=2, HighlightAll=false"
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
        Hit(kind, key, title, url, marked_html(snippet), float(score))
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
    raw = clean(str(query)[:MAX_QUERY_CHARS])
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
