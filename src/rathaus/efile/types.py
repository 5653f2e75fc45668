"""The E-Akte's public types: the classes other apps name in annotations, foreign keys and
filters (the case an e-invoice is filed in, the files the archive offers). Reads go through
``rathaus.efile.selectors``, writes through ``rathaus.efile.services``."""

from __future__ import annotations

from .models import Case, CaseFile, CaseNote, Document, DocumentVersion, FilePlanEntry

__all__ = ["Case", "CaseFile", "CaseNote", "Document", "DocumentVersion", "FilePlanEntry"]
