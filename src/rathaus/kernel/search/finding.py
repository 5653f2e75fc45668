"""``find``: the citizens' search (expanded query, facets, best partial matches), one query per page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

from rathaus.domain.search.query import ExpandedQuery, expand_query
from rathaus.domain.text import MAX_QUERY_CHARS, Highlighter, query_terms

from . import cache
from ._common import MAX_LIMIT, SNIPPET_SOURCE_CHARS, Hit, clean, placeholders, python_snippet
from .registry import _synonyms, sources
from .vocabulary import vocabulary


@dataclass(frozen=True)
class Facet:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class FindResults:
    """Hits of ``find``; ``relaxed`` is True when not every word matched (best partial hits).

    ``corrections`` are (typed word, indexed stem) pairs that typo tolerance added.
    """

    total: int
    hits: list[Hit] = field(default_factory=list)
    facets: list[Facet] = field(default_factory=list)
    relaxed: bool = False
    corrections: tuple[tuple[str, str], ...] = ()


Row = tuple[int, str, int, str, str, str, str, float]


def _page_query(
    match: str, visible: list[str], kinds: list[str] | None, limit: int, offset: int
) -> tuple[str, list[str | int]]:
    """One statement: hits per kind over every match, then the ranked page with its texts.

    The matches (id, kind, title, score) are computed once (a materialised CTE), the page is
    cut from them with a top-N sort, and the body is read only for the rows of the page.
    Rows: (0, kind, count, …) per kind, then (1, kind, position, key, title, url, body
    start, score) in rank order.
    """
    if connection.vendor == "postgresql":
        matched = (
            "SELECT d.id, d.kind, d.title, ts_rank(d.search_vector, q.query) AS score"
            " FROM kernel_searchdocument d, to_tsquery('simple', %s) AS q(query)"
            " WHERE d.search_vector @@ q.query"
        )
        body = "left(d.body, %s)"
    else:
        matched = (
            "SELECT d.id, d.kind, d.title, -bm25(kernel_search_fts, 3.0, 1.0) AS score"
            " FROM kernel_search_fts f CROSS JOIN kernel_searchdocument d ON d.id = f.rowid"
            " WHERE kernel_search_fts MATCH %s"
        )
        body = "substr(d.body, 1, %s)"
    params: list[str | int] = [match, *visible]
    in_kinds = ""
    if kinds is not None:
        in_kinds = f" WHERE kind IN ({placeholders(kinds)})"
        params += kinds
    params += [limit, offset, SNIPPET_SOURCE_CHARS]
    sql = (
        f"WITH matched AS MATERIALIZED ({matched} AND d.visibility IN ({placeholders(visible)})),"  # noqa: S608
        f" page AS (SELECT id, score, title FROM matched{in_kinds}"
        " ORDER BY score DESC, title, id LIMIT %s OFFSET %s)"
        " SELECT 0 AS part, kind, COUNT(*) AS number, NULL, NULL, NULL, NULL, NULL"
        " FROM matched GROUP BY kind"
        " UNION ALL SELECT 1, d.kind, ROW_NUMBER() OVER (ORDER BY p.score DESC, p.title, p.id),"
        f" d.key, d.title, d.url, {body}, p.score FROM page p JOIN kernel_searchdocument d ON d.id = p.id"
        " ORDER BY part, number"
    )
    return sql, params


def _run(
    expanded: ExpandedQuery,
    require_all: bool,
    visible: list[str],
    kinds: list[str] | None,
    limit: int,
    offset: int,
) -> tuple[dict[str, int], list[Row]]:
    if connection.vendor == "postgresql":
        match = expanded.to_tsquery(require_all=require_all)
    else:
        match = expanded.to_fts5(require_all=require_all)
    sql, params = _page_query(match, visible, kinds, limit, offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    counts = {row[1]: row[2] for row in rows if row[0] == 0}
    return counts, [row for row in rows if row[0] == 1]


def _facets(counts: dict[str, int]) -> list[Facet]:
    labels = {source.kind: source for source in sources()}

    def order(kind: str) -> tuple[int, str]:
        return (labels[kind].order if kind in labels else 999, kind)

    return [
        Facet(kind, labels[kind].label if kind in labels else kind, counts[kind])
        for kind in sorted(counts, key=order)
    ]


def _answer(
    raw: str,
    visible: list[str],
    kinds: list[str] | None,
    limit: int,
    offset: int,
    fuzzy: bool,
    stamps: cache.Stamps | None,
) -> FindResults:
    expanded = expand_query(raw, synonyms=_synonyms(), fuzzy=vocabulary(visible, stamps) if fuzzy else None)
    if expanded.is_empty:
        return FindResults(total=0)
    page_kinds = kinds if kinds != [] else None
    page_limit = 0 if kinds == [] else limit
    relaxed = False
    counts, rows = _run(expanded, True, visible, page_kinds, page_limit, offset)
    if not counts and len(expanded.groups) > 1:
        relaxed = True
        counts, rows = _run(expanded, False, visible, page_kinds, page_limit, offset)
    total = 0 if kinds == [] else sum(n for kind, n in counts.items() if kinds is None or kind in kinds)
    highlighter = Highlighter(expanded.highlight_terms())
    hits = [
        Hit(kind, key, title, url, python_snippet(body or title, highlighter), float(score))
        for _part, kind, _position, key, title, url, body, score in rows
    ]
    return FindResults(
        total=total, hits=hits, facets=_facets(counts), relaxed=relaxed, corrections=expanded.corrections
    )


def find(
    query: str,
    *,
    kinds: Iterable[str] | None = None,
    visibility: Iterable[str] = ("public",),
    limit: int = 20,
    offset: int = 0,
    fuzzy: bool = True,
) -> FindResults:
    """The citizens' search: expanded query, all words first, then the best partial matches.

    ``kinds`` restricts the hits (the facets still count every kind, so a page can offer
    the others); ``fuzzy`` turns typo tolerance on (it reads the index vocabulary). One
    statement per page (two when not every word matches); answers are cached per process
    until the index changes (``kernel.search.cache``).
    """
    raw = clean(str(query)[:MAX_QUERY_CHARS])
    visible = [str(value) for value in visibility]
    kind_list = None if kinds is None else [str(value) for value in kinds]
    if not visible or not query_terms(raw).terms:
        return FindResults(total=0)
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    stamps = cache.current_stamps(visible)
    key = (
        connection.alias,
        raw,
        None if kind_list is None else tuple(kind_list),
        tuple(visible),
        limit,
        offset,
        fuzzy,
    )
    if stamps is not None:
        cached = cache.results.get(key, stamps)
        if isinstance(cached, FindResults):
            return _copy(cached)
    results = _answer(raw, visible, kind_list, limit, offset, fuzzy, stamps)
    if stamps is not None:
        cache.results.put(key, visibility=visible, stamps=stamps, value=results)
        return _copy(results)
    return results


def _copy(results: FindResults) -> FindResults:
    """The cached answer stays as built whatever a caller does with its lists."""
    return dataclasses.replace(results, hits=list(results.hits), facets=list(results.facets))
