"""One full-text search over SQLite FTS5 (embedded) and PostgreSQL full-text (production).

Both backends share the German analysis in ``rathaus.domain.text`` (folding ä/ö/ü/ß,
Snowball German stems, stop words), applied in Python when indexing and when querying,
so "Strasse" finds "Straße", "Mueller" finds "Müller" and "Häuser" finds "Haus".
PostgreSQL additionally matches through the ``rathaus_german`` text search configuration
(german stemmer + unaccent), ranks with ``ts_rank`` over a GIN-indexed ``tsvector`` and
builds snippets with ``ts_headline``; SQLite ranks with FTS5's ``bm25``.

Queries are free text: operators are never interpreted, any input is safe, all words must
match and the last word also matches as a prefix (search as you type).

Compound words are indexed whole and in their parts (``rathaus.domain.search.compounds``).
``find`` is the citizens' search on top: it expands the query with synonyms (data files
registered by each search source), compound parts and, for words the index does not know,
close spellings (typo tolerance); it first requires every word and, if nothing matches,
takes the documents matching most words; it returns facets (hits per kind).

Search sources: each part that puts documents into the index registers a ``SearchSource``
(kind, label for the facet, how to rebuild its documents, its synonym file) with
``register_source`` in its ``AppConfig.ready``; ``rathaus directory reindex`` rebuilds all.

Public API: ``index_document``, ``remove_document``, ``search``, ``SearchResults``, ``Hit``,
``find``, ``FindResults``, ``Facet``, ``SearchSource``, ``register_source``, ``sources``,
``reindex``.
"""

from __future__ import annotations

import functools
import html
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.safestring import SafeString, mark_safe

from rathaus.domain.search.compounds import split_compound
from rathaus.domain.search.fuzzy import FuzzyIndex
from rathaus.domain.search.query import ExpandedQuery, expand_query
from rathaus.domain.search.synonyms import Synonyms, parse_synonyms
from rathaus.domain.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TERMS,
    STOP_WORDS,
    QueryTerms,
    highlight,
    query_terms,
    stem,
    tokenize,
)

from .models import SearchDocument

__all__ = [
    "Facet",
    "FindResults",
    "Hit",
    "SearchResults",
    "SearchSource",
    "find",
    "index_document",
    "register_source",
    "reindex",
    "remove_document",
    "search",
    "sources",
]

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


def _analysed(text: str) -> list[str]:
    """Index stems of ``text`` plus the stems of the parts of its compound words."""
    terms = []
    for token in tokenize(text):
        if token in STOP_WORDS:
            continue
        terms.append(stem(token))
        terms.extend(stem(part) for part in split_compound(token))
    return terms


def index_document(
    *,
    kind: str,
    key: str,
    title: str,
    body: str,
    url: str = "",
    visibility: str = "public",
    language: str = "de",
    keywords: str = "",
) -> SearchDocument:
    """Add a document to the index or replace the one with the same ``kind`` and ``key``.

    ``visibility`` is a free label ("public", "staff", …); ``search`` only returns
    documents whose visibility it is asked for. The analysis is German for every
    ``language`` (the city's content is German); the value is kept for later use.
    ``keywords`` are indexed with the weight of the title but not shown (search terms
    people use that the title lacks).
    """
    title, body, keywords = _clean(title), _clean(body), _clean(keywords)
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
        title_terms = " ".join(_analysed(f"{title} {keywords}"))
        body_terms = " ".join(_analysed(body[:MAX_INDEXED_CHARS]))
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
    _vocabulary_changed()
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
    _vocabulary_changed()
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


# --- Search sources ------------------------------------------------------------------------


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


# --- Typo tolerance: the vocabulary of public documents ----------------------------------

_VOCABULARY_LOCK = threading.Lock()
# (alias, visibility) -> (checked at, index signature, vocabulary)
_vocabulary_cache: dict[tuple[object, ...], tuple[float, tuple[object, ...], FuzzyIndex]] = {}
# Seconds a vocabulary is used without asking the database whether the index changed; changes
# made by this process clear it at once, other processes' changes show after this delay.
VOCABULARY_RECHECK_SECONDS = 5.0


def _vocabulary_changed() -> None:
    with _VOCABULARY_LOCK:
        _vocabulary_cache.clear()


def _index_signature(visible: list[str]) -> tuple[object, ...]:
    stats = SearchDocument.objects.filter(visibility__in=visible).aggregate(
        count=Count("id"), newest=Max("updated_at"), last=Max("id")
    )
    return (connection.alias, tuple(visible), stats["count"], stats["newest"], stats["last"])


def _load_vocabulary(visible: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM kernel_searchdocument"  # noqa: S608
                f" WHERE visibility IN ({_placeholders(visible)})",
                visible,
            )
        else:
            # A per-connection view of the FTS5 index: one row per term and document.
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kernel_search_vocab"
                " USING fts5vocab(main, kernel_search_fts, instance)"
            )
            cursor.execute(
                "SELECT DISTINCT v.term FROM temp.kernel_search_vocab v"  # noqa: S608 - placeholders only
                " JOIN kernel_searchdocument d ON d.id = v.doc"
                f" WHERE d.visibility IN ({_placeholders(visible)})",
                visible,
            )
        return {row[0] for row in cursor.fetchall()}


def _vocabulary(visible: list[str]) -> FuzzyIndex:
    """Terms of the documents with this visibility, rebuilt when the index changed."""
    key = (connection.alias, tuple(visible))
    now = time.monotonic()
    with _VOCABULARY_LOCK:
        cached = _vocabulary_cache.get(key)
    if cached is not None and now - cached[0] < VOCABULARY_RECHECK_SECONDS:
        return cached[2]
    signature = _index_signature(visible)
    if cached is not None and cached[1] == signature:
        index = cached[2]
    else:
        synonym_terms = {term for phrase in _synonyms().expansions for term in phrase}
        index = FuzzyIndex(_load_vocabulary(visible) | synonym_terms)
    with _VOCABULARY_LOCK:
        _vocabulary_cache[key] = (now, signature, index)
    return index


# --- find: the citizens' search ------------------------------------------------------------


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


def _match_counts(match: str, visible: list[str]) -> dict[str, int]:
    in_visible = f"d.visibility IN ({_placeholders(visible)})"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT d.kind, COUNT(*) FROM kernel_searchdocument d"  # noqa: S608 - placeholders only
                f" WHERE d.search_vector @@ to_tsquery('simple', %s) AND {in_visible} GROUP BY d.kind",
                [match, *visible],
            )
        else:
            cursor.execute(
                "SELECT d.kind, COUNT(*) FROM kernel_search_fts f"  # noqa: S608 - placeholders only
                " CROSS JOIN kernel_searchdocument d ON d.id = f.rowid"
                f" WHERE kernel_search_fts MATCH %s AND {in_visible} GROUP BY d.kind",
                [match, *visible],
            )
        return {kind: count for kind, count in cursor.fetchall()}


def _ranked_rows(
    match: str, visible: list[str], kinds: list[str] | None, limit: int, offset: int
) -> list[tuple[str, str, str, str, str, float]]:
    where, params = _filters(kinds, visible)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT d.kind, d.key, d.title, d.url, left(d.body, %s),"  # noqa: S608 - placeholders only
                " ts_rank(d.search_vector, q) AS score FROM kernel_searchdocument d,"
                " (SELECT to_tsquery('simple', %s) AS q) query_row"
                f" WHERE d.search_vector @@ q{where} ORDER BY score DESC, d.title, d.id LIMIT %s OFFSET %s",
                [SNIPPET_SOURCE_CHARS, match, *params, limit, offset],
            )
        else:
            cursor.execute(
                "SELECT d.kind, d.key, d.title, d.url, substr(d.body, 1, %s),"  # noqa: S608
                " -bm25(kernel_search_fts, 3.0, 1.0) AS score"
                " FROM kernel_search_fts f CROSS JOIN kernel_searchdocument d ON d.id = f.rowid"
                f" WHERE kernel_search_fts MATCH %s{where}"
                " ORDER BY score DESC, d.title, d.id LIMIT %s OFFSET %s",
                [SNIPPET_SOURCE_CHARS, match, *params, limit, offset],
            )
        return list(cursor.fetchall())


SNIPPET_SOURCE_CHARS = 2_000


def _render(expanded: ExpandedQuery, require_all: bool) -> str:
    if connection.vendor == "postgresql":
        return expanded.to_tsquery(require_all=require_all)
    return expanded.to_fts5(require_all=require_all)


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
    the others); ``fuzzy`` turns typo tolerance on (it reads the index vocabulary, kept
    for a few minutes per process and rebuilt when the index changes).
    """
    raw = _clean(str(query)[:MAX_QUERY_CHARS])
    visible = [str(value) for value in visibility]
    kind_list = None if kinds is None else [str(value) for value in kinds]
    if not visible or not query_terms(raw).terms:
        return FindResults(total=0)
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    expanded = expand_query(raw, synonyms=_synonyms(), fuzzy=_vocabulary(visible) if fuzzy else None)
    if expanded.is_empty:
        return FindResults(total=0)
    relaxed = False
    match = _render(expanded, require_all=True)
    counts = _match_counts(match, visible)
    if not counts and len(expanded.groups) > 1:
        relaxed = True
        match = _render(expanded, require_all=False)
        counts = _match_counts(match, visible)
    labels = {source.kind: source for source in sources()}
    facets = [
        Facet(kind, labels[kind].label if kind in labels else kind, count)
        for kind, count in sorted(
            counts.items(), key=lambda item: (labels[item[0]].order if item[0] in labels else 999, item[0])
        )
    ]
    total = sum(count for kind, count in counts.items() if kind_list is None or kind in kind_list)
    if total == 0 or limit == 0 or kind_list == []:
        return FindResults(
            total=total if kind_list != [] else 0,
            facets=facets,
            relaxed=relaxed,
            corrections=expanded.corrections,
        )
    highlight_terms = expanded.highlight_terms()
    hits = [
        Hit(kind, key, title, url, _python_snippet(body or title, highlight_terms), float(score))
        for kind, key, title, url, body, score in _ranked_rows(match, visible, kind_list, limit, offset)
    ]
    return FindResults(
        total=total, hits=hits, facets=facets, relaxed=relaxed, corrections=expanded.corrections
    )
