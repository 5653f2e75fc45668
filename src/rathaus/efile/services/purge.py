"""Purging a closed file: its cases, notes, documents, versions and search entries are deleted.

The last step of an Aussonderung (``rathaus.efile.archive``): once the state archive has taken
a file over, or declined it as not worth archiving, the office deletes it. Only the E-Akte
deletes its rows; other apps ask through ``case_file_purge``. The blobs stay: they are
content-addressed, and the same bytes may belong to another document or another app.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError

from rathaus.accounts.types import User
from rathaus.kernel import audit, search
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import search_index
from ..models import Case, CaseFile, CaseNote, Document, DocumentVersion


@dataclass(frozen=True)
class PurgedFile:
    """What ``case_file_purge`` deleted: the file's Aktenzeichen, how many cases and
    documents, and the SHA-256 of the versions' blobs (which stay)."""

    aktenzeichen: str
    cases: int
    documents: int
    blobs: tuple[str, ...]


def _delete_rows(case_file: CaseFile) -> PurgedFile:
    """Delete versions, documents, notes, cases and the file, children first."""
    case_ids = list(Case.objects.filter(case_file=case_file).values_list("pk", flat=True))
    document_ids = list(Document.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    versions = DocumentVersion.objects.filter(document_id__in=document_ids)
    hashes = tuple(sorted(set(versions.values_list("blob__sha256", flat=True))))
    versions.delete()
    Document.objects.filter(pk__in=document_ids).delete()
    CaseNote.objects.filter(case_id__in=case_ids).delete()
    Case.objects.filter(pk__in=case_ids).delete()
    CaseFile.objects.filter(pk=case_file.pk).delete()
    for pk in document_ids:
        search.remove_document(kind=search_index.DOCUMENT_KIND, key=str(pk))
    for pk in case_ids:
        search.remove_document(kind=search_index.CASE_KIND, key=str(pk))
    return PurgedFile(case_file.aktenzeichen, len(case_ids), len(document_ids), hashes)


@transaction.atomic
def case_file_purge(*, case_file: CaseFile, by: User | None, reason: str) -> PurgedFile:
    """Delete a closed file with everything in it; the audit entry keeps its Aktenzeichen,
    the ``reason`` and what was deleted.

    Refused (nothing deleted): an open file (``Conflict`` "file_open"), an empty reason, and a
    file whose cases or documents another app still refers to (``Conflict`` "file_in_use",
    e.g. an e-invoice filed in one of its cases).
    """
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Bitte geben Sie an, warum die Akte gelöscht wird.", code="reason_missing")
    case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if not case_file.is_closed:
        raise Conflict(
            f"Die Akte {case_file.aktenzeichen} ist nicht geschlossen und kann nicht gelöscht werden.",
            code="file_open",
        )
    file_id = case_file.pk
    try:
        with transaction.atomic():
            purged = _delete_rows(case_file)
    except ProtectedError as exc:
        raise Conflict(
            f"Die Akte {case_file.aktenzeichen} wird noch an anderer Stelle verwendet und kann nicht "
            f"gelöscht werden ({exc.args[0] if exc.args else ''}).",
            code="file_in_use",
        ) from exc
    audit.record(
        actor=by,
        action="efile.file_purged",
        target=("efile.casefile", file_id),
        details={
            "aktenzeichen": purged.aktenzeichen,
            "reason": reason,
            "cases": purged.cases,
            "documents": purged.documents,
            "blobs": list(purged.blobs),
        },
    )
    return purged
