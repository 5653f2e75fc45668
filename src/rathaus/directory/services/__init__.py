"""Writes for the directory: offices, opening hours, services, life situations, review.

Public: ``office_upsert``, ``opening_hours_set``, ``validate_opening_hours``, ``office_message_send``,
``publication_edited``, ``publication_review``, ``publication_publish``, ``publication_withdraw``,
``publication_problems``, ``catalogue_import``, ``catalogue_export``, ``catalogue_load_files``,
``search_reindex`` and ``search_index_*``, ``DirectoryError``, ``CatalogueFormatError``.

By responsibility: ``offices`` (details, opening hours, contact form), ``publication`` (review
before publishing, four eyes), ``indexing`` (the entries in the one search), ``catalogue`` (the
format ``rathaus.directory/1``, documented in docs/portal.md, and its export) and
``catalogue_import``. Import from this package, not from its modules.
"""

from __future__ import annotations

from .catalogue import (
    DATA_DIR,
    FORMAT,
    LIFE_SITUATION_FIELDS,
    OFFICE_FIELDS,
    SERVICE_FIELDS,
    catalogue_export,
    catalogue_load_files,
)
from .catalogue_import import ImportReport, catalogue_import
from .common import Actor, CatalogueFormatError, DirectoryError, Publishable
from .indexing import (
    Progress,
    search_index_life_situation,
    search_index_office,
    search_index_service,
    search_reindex,
)
from .offices import office_message_send, office_upsert, opening_hours_set, validate_opening_hours
from .publication import (
    publication_edited,
    publication_problems,
    publication_publish,
    publication_review,
    publication_withdraw,
)

__all__ = [
    "DATA_DIR",
    "FORMAT",
    "LIFE_SITUATION_FIELDS",
    "OFFICE_FIELDS",
    "SERVICE_FIELDS",
    "Actor",
    "CatalogueFormatError",
    "DirectoryError",
    "ImportReport",
    "Progress",
    "Publishable",
    "catalogue_export",
    "catalogue_import",
    "catalogue_load_files",
    "office_message_send",
    "office_upsert",
    "opening_hours_set",
    "publication_edited",
    "publication_problems",
    "publication_publish",
    "publication_review",
    "publication_withdraw",
    "search_index_life_situation",
    "search_index_office",
    "search_index_service",
    "search_reindex",
    "validate_opening_hours",
]
