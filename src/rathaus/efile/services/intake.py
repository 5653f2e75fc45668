"""Scan intake (one scan or a batch cut at blank pages) and text recognition (OCR) of scans."""

from __future__ import annotations

from typing import IO

from django.db import transaction

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.kernel import audit, blobs, filetypes
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import batch, ocr, search_index
from ..models import Case, Document, DocumentVersion, FilePlanEntry
from ._common import MAX_DOCUMENT_BYTES, _checked_content, _enqueue_ocr, ocr_task_key
from .cases import case_create
from .documents import document_add

OCR_REASON = "Texterkennung (OCR): durchsuchbares PDF/A; das Original bleibt Version {number}."
OCR_NO_TEXT = "Kein Text gefunden: die Texterkennung hat auf den Seiten keinen Text erkannt."
# OCR output re-encodes the page images and may be larger than the scan it came from.
MAX_OCR_BYTES = 2 * MAX_DOCUMENT_BYTES


def document_ocr_run(*, version_id: int) -> DocumentVersion | None:
    """Recognise the text of a scanned version and file it as a new searchable PDF/A version.

    Runs in the background task (not in one transaction: OCR takes seconds per page). The
    original version stays as it was; the new version's text goes into the search index.
    On failure the document is marked "kein Text" with the reason and ``OcrFailed`` is
    raised, so the task is retried. Returns None when there is nothing (more) to do: the
    document already has a newer version, or OCR already succeeded.
    """
    version = DocumentVersion.objects.select_related("blob", "document").get(pk=version_id)
    document = version.document
    if document.versions.filter(number__gt=version.number).exists():
        return None
    try:
        result = ocr.recognise(blobs.read_bytes(version.blob), content_type=version.blob.content_type)
    except ocr.OcrFailed as exc:
        _ocr_failed(document=document, version=version, message=str(exc))
        raise
    return _ocr_store(version=version, result=result)


@transaction.atomic
def _ocr_store(*, version: DocumentVersion, result: ocr.OcrResult) -> DocumentVersion | None:
    document = Document.objects.select_for_update().get(pk=version.document_id)
    if document.versions.filter(number__gt=version.number).exists():
        return None  # someone filed a newer version meanwhile; it has its own OCR if needed
    if not result.text.strip():
        # Blank pages (e.g. an e-invoice PDF that only carries its XML): not a success.
        _ocr_failed(document=document, version=version, message=OCR_NO_TEXT)
        return None
    stem = version.filename.rsplit(".", 1)[0] or "scan"
    blob = blobs.store(
        content=result.pdf,
        filename=f"{stem}.pdf",
        allowed_types={filetypes.PDF},
        max_bytes=MAX_OCR_BYTES,
    )
    created = DocumentVersion.objects.create(
        document=document,
        number=version.number + 1,
        blob=blob,
        filename=blobs.safe_filename(f"{stem}.pdf"),
        reason=OCR_REASON.format(number=version.number),
        text=result.text,
        created_by=None,
    )
    document.ocr_status = Document.OcrStatus.DONE
    document.ocr_error = ""
    document.save(update_fields=["ocr_status", "ocr_error"])
    # No version bump of the case: OCR is a rendition, not an edit, and must not turn a
    # clerk's open form into a conflict.
    audit.record(
        actor=None,
        action="efile.document_ocr_done",
        target=document.case,
        details={
            "document": document.pk,
            "from_version": version.number,
            "version": created.number,
            "sha256": blob.sha256,
            "characters": len(result.text),
            "turned_pages": result.turned_pages,
        },
    )
    search_index.index_document(document)
    return created


@transaction.atomic
def _ocr_failed(*, document: Document, version: DocumentVersion, message: str) -> None:
    Document.objects.filter(pk=document.pk).update(
        ocr_status=Document.OcrStatus.FAILED, ocr_error=message[:500]
    )
    audit.record(
        actor=None,
        action="efile.document_ocr_failed",
        target=document.case,
        details={"document": document.pk, "version": version.number, "error": message[:500]},
    )


@transaction.atomic
def document_ocr_retry(*, document: Document, by: User) -> Document:
    """Start OCR again for a document marked "kein Text" whose retries are used up."""
    from rathaus.kernel.tasks import TaskRun, retry_run

    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.ocr_status != Document.OcrStatus.FAILED:
        raise InvalidInput(
            "Für dieses Dokument ist keine Texterkennung fehlgeschlagen.", code="ocr_not_failed"
        )
    version = document.versions.order_by("-number").first()
    assert version is not None  # a document always has its first version
    run = TaskRun.objects.filter(key=ocr_task_key(version.pk)).first()
    if run is not None and run.status != TaskRun.Status.FAILED:
        raise Conflict(
            "Die Texterkennung wird bereits automatisch wiederholt; bitte warten Sie.", code="ocr_retrying"
        )
    document.ocr_status = Document.OcrStatus.PENDING
    document.ocr_error = ""
    document.save(update_fields=["ocr_status", "ocr_error"])
    audit.record(
        actor=by, action="efile.document_ocr_retried", target=document.case, details={"document": document.pk}
    )
    if run is None:
        transaction.on_commit(lambda: _enqueue_ocr(document.pk, version.pk))
    else:
        transaction.on_commit(lambda: retry_run(run))
    return document


def _case_for_scan(
    *, office: Office, case: Case | None, file_plan_entry: FilePlanEntry | None, subject: str, by: User | None
) -> Case:
    if case is not None:
        if case.office_id != office.pk:
            raise InvalidInput("Der Vorgang gehört zu einer anderen Dienststelle.", code="other_office")
        return case
    if file_plan_entry is None:
        raise InvalidInput(
            "Bitte geben Sie einen Vorgang oder einen Aktenplaneintrag für neue Vorgänge an.",
            code="scan_target_missing",
        )
    return case_create(
        office=office, subject=subject, file_plan_entry=file_plan_entry, created_by=by, source="scan"
    )


@transaction.atomic
def scan_intake(
    *,
    office: Office,
    content: bytes | IO[bytes],
    filename: str,
    by: User | None,
    case: Case | None = None,
    file_plan_entry: FilePlanEntry | None = None,
    title: str = "",
) -> Document:
    """File one scanned paper document (PDF, TIFF, PNG or JPEG) as an incoming document.

    Into ``case``, or into a new case in ``office``'s inbox under ``file_plan_entry``
    (subject "Posteingang: <file name>"). OCR follows in the background. Either everything
    is filed or, on a refused file, nothing (not even the new case).
    """
    name = blobs.safe_filename(filename)
    target = _case_for_scan(
        office=office, case=case, file_plan_entry=file_plan_entry, subject=f"Posteingang: {name}", by=by
    )
    return document_add(
        case=target,
        title=title or name.rsplit(".", 1)[0] or name,
        content=content,
        filename=name,
        by=by,
        declared_type=None,
        direction=Document.Direction.INCOMING,
    )


@transaction.atomic
def scan_batch_intake(
    *,
    office: Office,
    content: bytes | IO[bytes],
    filename: str,
    by: User | None,
    case: Case | None = None,
    file_plan_entry: FilePlanEntry | None = None,
    split: bool = True,
) -> list[Document]:
    """File a scan, with ``split`` a batch cut at blank separator pages: one document per
    letter (each in a new case when no ``case`` is given), blank pages dropped. A scan
    without blank pages is one document. All parts or none are filed."""
    name = blobs.safe_filename(filename)
    parts = None
    if split:
        content = _checked_content(content, name)  # bounds pages and pixels before rendering
        if isinstance(content, bytes) and content:
            parts = batch.split_at_blank_pages(content)
    if not parts:
        return [
            scan_intake(
                office=office,
                content=content,
                filename=name,
                by=by,
                case=case,
                file_plan_entry=file_plan_entry,
            )
        ]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    return [
        scan_intake(
            office=office,
            content=part,
            filename=f"{stem}-{number}{dot}{suffix}",
            by=by,
            case=case,
            file_plan_entry=file_plan_entry,
        )
        for number, part in enumerate(parts, start=1)
    ]
