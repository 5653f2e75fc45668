"""Writing the index: ``index_document`` and ``remove_document`` on SQLite FTS5 and PostgreSQL."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from rathaus.domain.search.compounds import split_compound
from rathaus.domain.text import STOP_WORDS, stem, tokenize

from ..models import SearchDocument
from . import cache
from ._common import MAX_INDEXED_CHARS, clean

# PostgreSQL: one statement, one row version (the tsvector is computed in the upsert itself);
# ``previous`` reads the visibility the row had before, whose cached answers change too.
_POSTGRESQL_UPSERT = (
    "WITH previous AS (SELECT visibility FROM kernel_searchdocument WHERE kind = %s AND key = %s)"
    " INSERT INTO kernel_searchdocument"
    " (kind, key, title, body, url, visibility, language, updated_at, search_vector)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s,"
    " setweight(to_tsvector('rathaus_german', %s) || to_tsvector('simple', %s), 'A')"
    " || setweight(to_tsvector('rathaus_german', %s) || to_tsvector('simple', %s), 'B'))"
    " ON CONFLICT (kind, key) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body,"
    " url = EXCLUDED.url, visibility = EXCLUDED.visibility, language = EXCLUDED.language,"
    " updated_at = EXCLUDED.updated_at, search_vector = EXCLUDED.search_vector"
    " RETURNING id, (SELECT visibility FROM previous)"
)


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
    title, body, keywords = clean(title), clean(body), clean(keywords)
    title_terms = " ".join(_analysed(f"{title} {keywords}"))
    body_terms = " ".join(_analysed(body[:MAX_INDEXED_CHARS]))
    document = SearchDocument(
        kind=kind, key=key, title=title, body=body, url=url, visibility=visibility, language=language
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            document.updated_at = timezone.now()
            row = [kind, key, title, body, url, visibility, language]
            vectors = [title, title_terms, body[:MAX_INDEXED_CHARS], body_terms]
            with connection.cursor() as cursor:
                cursor.execute(_POSTGRESQL_UPSERT, [kind, key, *row, document.updated_at, *vectors])
                document.pk, previous = cursor.fetchone()
            document._state.adding, document._state.db = False, connection.alias  # as if loaded
        else:
            # SQLite: the transaction holds the write lock from BEGIN, nobody writes in between.
            existing = (
                SearchDocument.objects.filter(kind=kind, key=key).values_list("pk", "visibility").first()
            )
            document.pk, previous = existing if existing else (None, None)
            document.save(force_update=existing is not None, force_insert=existing is None)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM kernel_search_fts WHERE rowid = %s", [document.pk])
                cursor.execute(
                    "INSERT INTO kernel_search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                    [document.pk, title_terms, body_terms],
                )
        cache.changed({visibility} | ({previous} if previous else set()))
    return document


def remove_document(*, kind: str, key: str) -> bool:
    """Remove a document from the index; returns whether there was one."""
    with transaction.atomic():
        existing = SearchDocument.objects.filter(kind=kind, key=key).values_list("pk", "visibility").first()
        if existing is None:
            return False
        pk, visibility = existing
        if connection.vendor != "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM kernel_search_fts WHERE rowid = %s", [pk])
        SearchDocument.objects.filter(pk=pk).delete()
        cache.changed([visibility])
    return True
