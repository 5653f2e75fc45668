"""Documents and their versions: filing content into a case, recording views and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import Max

from rathaus.accounts.types import User
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import InvalidInput

from .. import search_index
from ..models import Case, Document, DocumentVersion
from ._common import (
    DOCUMENT_TYPES,
    MAX_DOCUMENT_BYTES,
    _bump,
    _checked_content,
    _locked,
    _queue_ocr_if_scan,
    _refuse_closed,
    _text_of,
)


@dataclass(frozen=True)
class CheckedContent:
    """A document's content after the E-Akte's checks, already in blob storage, with its text.

    ``document_add`` and ``document_version_add`` take it in place of the bytes, so that a
    caller filing many documents in one transaction (the xdomea import) runs the slow checks,
    the storage and the text extraction before that transaction (``document_content_check``).
    """

    blob: blobs.Blob
    text: str


def document_content_check(
    *, content: bytes | IO[bytes], filename: str, declared_type: str | None = None
) -> CheckedContent:
    """Check ``content`` as ``document_add`` does, store it as a blob and extract its text.

    Writes no row but the blob's and opens no transaction of its own; raises what
    ``document_add`` raises for the content (``filechecks``, ``kernel.blobs.store``).
    """
    checked = _checked_content(content, filename)
    blob = blobs.store(
        content=checked,
        filename=filename,
        declared_type=declared_type,
        allowed_types=DOCUMENT_TYPES,
        max_bytes=MAX_DOCUMENT_BYTES,
    )
    return CheckedContent(blob=blob, text=_text_of(checked))


def _checked(
    content: bytes | IO[bytes] | CheckedContent, filename: str, declared_type: str | None
) -> CheckedContent:
    if isinstance(content, CheckedContent):
        return content
    return document_content_check(content=content, filename=filename, declared_type=declared_type)


@transaction.atomic
def document_add(
    *,
    case: Case,
    title: str,
    content: bytes | IO[bytes] | CheckedContent,
    filename: str,
    by: User | None,
    declared_type: str | None = None,
    direction: str = Document.Direction.INCOMING,
) -> Document:
    """Add a document with its first version; the bytes go to kernel blob storage.

    Refused (nothing stored or recorded): closed cases, empty titles, and what
    ``kernel.blobs.store`` refuses (over ``MAX_DOCUMENT_BYTES``, empty, a type other than
    PDF, images, office documents, XML or text, or a name that contradicts the content).
    """
    case = _locked(case, None)
    _refuse_closed(case)
    title = title.strip() or blobs.safe_filename(filename)
    if direction not in Document.Direction.values:
        raise InvalidInput(f"Unbekannte Richtung: {direction}", code="direction")
    checked = _checked(content, filename, declared_type)
    blob = checked.blob
    document = Document.objects.create(case=case, title=title[:300], direction=direction, created_by=by)
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        blob=blob,
        filename=blobs.safe_filename(filename),
        reason="",
        text=checked.text,
        created_by=by,
    )
    _queue_ocr_if_scan(document, version)
    _bump(case, [])
    audit.record(
        actor=by,
        action="efile.document_added",
        target=case,
        details={
            "document": document.pk,
            "sha256": blob.sha256,
            "size": blob.size,
            "type": blob.content_type,
        },
    )
    search_index.index_document(document, filename="")
    return document


@transaction.atomic
def document_version_add(
    *,
    document: Document,
    content: bytes | IO[bytes] | CheckedContent,
    filename: str,
    reason: str,
    by: User | None,
    declared_type: str | None = None,
) -> DocumentVersion:
    """Add a new version; earlier versions stay as they were (never overwritten)."""
    case = _locked(document.case, None)
    _refuse_closed(case)
    if not reason.strip():
        raise InvalidInput("Bitte geben Sie an, warum eine neue Version entsteht.", code="reason_missing")
    checked = _checked(content, filename, declared_type)
    blob = checked.blob
    last = document.versions.aggregate(m=Max("number"))["m"] or 0
    version = DocumentVersion.objects.create(
        document=document,
        number=last + 1,
        blob=blob,
        filename=blobs.safe_filename(filename),
        reason=reason.strip()[:500],
        text=checked.text,
        created_by=by,
    )
    _queue_ocr_if_scan(document, version)
    _bump(case, [])
    search_index.index_document(document, filename="")
    audit.record(
        actor=by,
        action="efile.document_version_added",
        target=case,
        details={"document": document.pk, "version": version.number, "sha256": blob.sha256, "reason": reason},
    )
    return version


@transaction.atomic
def document_downloaded(*, version: DocumentVersion, by: User) -> None:
    """Record a download (revision safety: every view and download is in the audit log)."""
    audit.record(
        actor=by,
        action="efile.document_downloaded",
        target=version.document.case,
        details={"document": version.document_id, "version": version.number},
    )


@transaction.atomic
def document_viewed(*, version: DocumentVersion, by: User) -> None:
    """Record that ``by`` opened a version in the case page's viewer (like a download)."""
    audit.record(
        actor=by,
        action="efile.document_viewed",
        target=version.document.case,
        details={"document": version.document_id, "version": version.number},
    )
