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
takes the documents matching most words; it returns facets (hits per kind). It sends one
statement per page and caches its answers per process until a change of the index commits
(``cache``).

Search sources: each part that puts documents into the index registers a ``SearchSource``
(kind, label for the facet, how to rebuild its documents, its synonym file) with
``register_source`` in its ``AppConfig.ready``; ``rathaus directory reindex`` rebuilds all.

Modules: ``index`` (writing), ``strict`` (``search``), ``finding`` (``find``), ``registry``
(the sources), ``vocabulary`` (typo tolerance), ``cache``.

Public API: ``index_document``, ``remove_document``, ``search``, ``SearchResults``, ``Hit``,
``find``, ``FindResults``, ``Facet``, ``SearchSource``, ``register_source``, ``sources``,
``reindex``.
"""

from __future__ import annotations

from ._common import MAX_INDEXED_CHARS, MAX_LIMIT, SNIPPET_SOURCE_CHARS, Hit, SearchResults
from .finding import Facet, FindResults, find
from .index import index_document, remove_document
from .registry import (  # _SOURCES and _synonyms: the tests' fixtures reset them
    _SOURCES,  # noqa: F401
    SearchSource,
    _synonyms,  # noqa: F401
    register_source,
    reindex,
    sources,
)
from .strict import search

__all__ = [
    "MAX_INDEXED_CHARS",
    "MAX_LIMIT",
    "SNIPPET_SOURCE_CHARS",
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
