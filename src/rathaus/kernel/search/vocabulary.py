"""Typo tolerance: the vocabulary of the documents of some visibilities, cached per process."""

from __future__ import annotations

from django.db import connection

from rathaus.domain.search.fuzzy import FuzzyIndex

from . import cache
from ._common import placeholders
from .registry import _synonyms


def _load(visible: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT unnest(tsvector_to_array(search_vector)) FROM kernel_searchdocument"  # noqa: S608
                f" WHERE visibility IN ({placeholders(visible)})",
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
                f" WHERE d.visibility IN ({placeholders(visible)})",
                visible,
            )
        return {row[0] for row in cursor.fetchall()}


def vocabulary(visible: list[str], stamps: cache.Stamps | None) -> FuzzyIndex:
    """Terms of the documents with this visibility (and the synonyms' terms).

    Built by one scan of the index; kept while the ``stamps`` of these visibilities stay
    the same (``kernel.search.cache``), built afresh when ``stamps`` is None.
    """
    key = (connection.alias, tuple(visible))
    if stamps is not None:
        cached = cache.vocabularies.get(key, stamps)
        if isinstance(cached, FuzzyIndex):
            return cached
    synonym_terms = {term for phrase in _synonyms().expansions for term in phrase}
    index = FuzzyIndex(_load(visible) | synonym_terms)
    if stamps is not None:
        cache.vocabularies.put(key, visibility=visible, stamps=stamps, value=index)
    return index
