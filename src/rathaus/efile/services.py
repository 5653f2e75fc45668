"""Writes of the E-Akte: each use case one function, one transaction, its audit entry inside.

Other apps file their cases with ``case_create`` and add documents with ``document_add``.
Errors are ``rathaus.kernel.exceptions`` subclasses with German messages (the API turns them
into problem+json, the views into form errors); nothing is written when one is raised.
"""

from __future__ import annotations

import datetime
import io
from typing import IO, Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from rathaus.domain.efile.aktenzeichen import Aktenzeichen, office_code_for
from rathaus.domain.efile.fileplan import InvalidFilePlanNumber, validate_plan_number
from rathaus.kernel import audit, blobs, filetypes
from rathaus.kernel.exceptions import Conflict, InvalidInput

from . import filechecks, ocr, search_index
from .models import Case, CaseFile, CaseNote, Document, DocumentVersion, FilePlanEntry

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "CaseClosed",
    "StaleCase",
    "bescheid_issue",
    "case_assign",
    "case_close",
    "case_confidentiality_set",
    "case_create",
    "case_file_close",
    "case_file_create",
    "case_forward",
    "case_note_add",
    "case_reopen",
    "case_resubmission_set",
    "document_add",
    "document_downloaded",
    "document_ocr_retry",
    "document_ocr_run",
    "document_version_add",
    "file_plan_entry_create",
    "resubmission_reminders_enqueue",
    "scan_batch_intake",
    "scan_intake",
]

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
DOCUMENT_TYPES = blobs.DOCUMENT_TYPES


class CaseClosed(Conflict):
    default_code = "case_closed"
    default_message = "Der Vorgang ist abgeschlossen und kann nicht mehr geändert werden."


class StaleCase(Conflict):
    default_code = "case_changed"
    default_message = (
        "Der Vorgang wurde inzwischen von jemand anderem geändert. Bitte laden Sie die Seite neu "
        "und prüfen Sie die Änderung; Ihre Eingabe wurde nicht gespeichert."
    )


class _Rest(io.RawIOBase):
    """``head`` followed by the rest of ``stream``: lets the kernel count an oversized upload."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = io.BytesIO(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._head.read(len(buffer)) or self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _checked_content(content: bytes | IO[bytes], filename: str) -> bytes | IO[bytes]:
    """The content, checked by ``filechecks`` when it is within the size limit.

    Oversized input is handed to ``blobs.store`` unread or re-chained, so its precise
    "too large" message still comes from the kernel; nothing is stored either way.
    """
    if isinstance(content, bytes | bytearray):
        data = bytes(content)
    else:
        declared = getattr(content, "size", None)
        if isinstance(declared, int) and declared > MAX_DOCUMENT_BYTES:
            return content
        data = content.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            return io.BufferedReader(_Rest(data, content))
    if 0 < len(data) <= MAX_DOCUMENT_BYTES:
        filechecks.check(data, filename=blobs.safe_filename(filename))
    return data


def _text_of(checked: bytes | IO[bytes]) -> str:
    return filechecks.extract_text(checked) if isinstance(checked, bytes) else ""


def _locked(case: Case, expected_version: int | None) -> Case:
    """The case row, locked for this transaction, checked against the version a form saw."""
    current = Case.objects.select_for_update().get(pk=case.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleCase()
    return current


def _bump(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def file_plan_entry_create(
    *,
    number: str,
    title: str,
    office: Any = None,
    parent: FilePlanEntry | None = None,
    retention_years: int | None = None,
    archive_worthy: bool | None = None,
    files_allowed: bool = True,
    created_by: Any = None,
) -> FilePlanEntry:
    """Add an entry to the file plan (city-wide when ``office`` is None)."""
    try:
        validate_plan_number(number, parent=parent.number if parent else None)
    except InvalidFilePlanNumber as exc:
        raise InvalidInput(str(exc), code="file_plan_number") from exc
    if not title.strip():
        raise InvalidInput("Bitte geben Sie einen Titel für den Aktenplaneintrag an.")
    if parent is None and retention_years is None:
        raise InvalidInput("Ein Eintrag der obersten Ebene braucht eine Aufbewahrungsfrist.")
    # A number may exist once per office including the city-wide plan: Aktenzeichen are built
    # from the number, so an office entry shadowing a city-wide one would collide.
    clash = FilePlanEntry.objects.filter(number=number)
    if office is not None:
        clash = clash.filter(Q(office=office) | Q(office__isnull=True))
    if clash.exists():
        raise Conflict(f"Den Aktenplaneintrag {number} gibt es schon.", code="file_plan_number_taken")
    entry = FilePlanEntry.objects.create(
        office=office,
        parent=parent,
        number=number,
        title=title.strip(),
        retention_years=retention_years,
        archive_worthy=archive_worthy,
        files_allowed=files_allowed,
    )
    audit.record(
        actor=created_by, action="efile.file_plan_entry_created", target=entry, details={"number": number}
    )
    return entry


@transaction.atomic
def case_file_create(
    *, office: Any, file_plan_entry: FilePlanEntry, title: str, created_by: Any = None
) -> CaseFile:
    """Open a file under ``file_plan_entry`` with the next free Aktenzeichen for this office and year."""
    if not file_plan_entry.files_allowed:
        raise InvalidInput(
            f"Unter dem Aktenplaneintrag {file_plan_entry.number} werden keine Akten geführt; "
            "bitte wählen Sie einen untergeordneten Eintrag."
        )
    if file_plan_entry.office_id is not None and file_plan_entry.office_id != office.pk:
        raise InvalidInput("Dieser Aktenplaneintrag gehört zu einer anderen Dienststelle.")
    if not title.strip():
        raise InvalidInput("Bitte geben Sie einen Titel für die Akte an.")
    # Serialise serial allocation per plan entry (SQLite's IMMEDIATE transaction already does).
    FilePlanEntry.objects.select_for_update().filter(pk=file_plan_entry.pk).exists()
    now = timezone.now()
    year = timezone.localtime(now).year
    last = CaseFile.objects.filter(office=office, file_plan_entry=file_plan_entry, year=year).aggregate(
        m=Max("serial")
    )["m"]
    reference = Aktenzeichen(
        office_code=office_code_for(office.pk),
        plan_number=file_plan_entry.number,
        year=year,
        serial=(last or 0) + 1,
    )
    case_file = CaseFile.objects.create(
        aktenzeichen=str(reference),
        office=office,
        file_plan_entry=file_plan_entry,
        year=year,
        serial=reference.serial,
        title=title.strip()[:300],
        opened_at=now,
        created_by=created_by,
    )
    audit.record(
        actor=created_by,
        action="efile.file_created",
        target=case_file,
        details={"aktenzeichen": str(reference)},
    )
    return case_file


@transaction.atomic
def case_file_close(*, case_file: CaseFile, by: Any) -> CaseFile:
    """Close a file (z. d. A.) once all its cases are closed; its retention starts with this year's end."""
    case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if case_file.is_closed:
        raise Conflict(f"Die Akte {case_file.aktenzeichen} ist schon geschlossen.", code="file_closed")
    if case_file.cases.exclude(status=Case.Status.CLOSED).exists():
        raise Conflict(
            f"Die Akte {case_file.aktenzeichen} enthält noch offene Vorgänge; "
            "bitte schließen Sie diese zuerst.",
            code="file_has_open_cases",
        )
    case_file.closed_at = timezone.now()
    case_file.save(update_fields=["closed_at"])
    audit.record(actor=by, action="efile.file_closed", target=case_file)
    return case_file


@transaction.atomic
def case_create(
    *,
    office: Any,
    subject: str,
    file_plan_entry: FilePlanEntry | None = None,
    case_file: CaseFile | None = None,
    created_by: Any = None,
    source: str = "",
    person: Any = None,
    assignee: Any = None,
    deadline: datetime.date | None = None,
    organisation: Any = None,
    confidentiality: str = Case.Confidentiality.NORMAL,
) -> Case:
    """File a new case in ``office``: in ``case_file``, or in a new file under ``file_plan_entry``.

    ``organisation`` is an organisation taking part (``accounts.Organisation``); a
    ``confidentiality`` other than "normal" limits the case to its assignee and the Leitung.
    """
    _check_confidentiality(confidentiality)
    subject = subject.strip()
    if not subject:
        raise InvalidInput("Bitte geben Sie einen Betreff für den Vorgang an.", code="subject_missing")
    if case_file is None:
        if file_plan_entry is None:
            raise InvalidInput("Bitte geben Sie eine Akte oder einen Aktenplaneintrag an.")
        case_file = case_file_create(
            office=office, file_plan_entry=file_plan_entry, title=subject, created_by=created_by
        )
    elif case_file.office_id != office.pk:
        raise InvalidInput(f"Die Akte {case_file.aktenzeichen} gehört zu einer anderen Dienststelle.")
    elif case_file.is_closed:
        raise CaseClosed(
            f"Die Akte {case_file.aktenzeichen} ist geschlossen; es können keine Vorgänge hinzukommen."
        )
    case = Case.objects.create(
        case_file=case_file,
        office=office,
        subject=subject[:300],
        source=source[:60],
        person=person,
        organisation=organisation,
        confidentiality=confidentiality,
        assignee=assignee,
        deadline=deadline,
        created_by=created_by,
        status=Case.Status.IN_PROGRESS if assignee else Case.Status.OPEN,
    )
    audit.record(
        actor=created_by,
        action="efile.case_created",
        target=case,
        details={
            "aktenzeichen": case_file.aktenzeichen,
            "office": office.pk,
            "source": source,
            "organisation": organisation.pk if organisation is not None else None,
            "confidentiality": confidentiality,
        },
    )
    search_index.index_case(case)
    return case


def _check_confidentiality(value: str) -> None:
    if value not in Case.Confidentiality.values:
        raise InvalidInput(
            f"Unbekannte Vertraulichkeit „{value}“. Erlaubt: {', '.join(Case.Confidentiality.values)}.",
            code="confidentiality",
        )


@transaction.atomic
def case_confidentiality_set(
    *, case: Case, confidentiality: str, by: Any, expected_version: int | None = None
) -> Case:
    """Set how confidential the case is; re-indexes the case and its documents for search."""
    _check_confidentiality(confidentiality)
    case = _locked(case, expected_version)
    previous = case.confidentiality
    case.confidentiality = confidentiality
    _bump(case, ["confidentiality"])
    audit.record(
        actor=by,
        action="efile.case_confidentiality_set",
        target=case,
        details={"from": previous, "to": confidentiality},
    )
    search_index.index_case(case)
    return case


def _refuse_closed(case: Case) -> None:
    if case.is_closed:
        raise CaseClosed()


@transaction.atomic
def case_assign(*, case: Case, assignee: Any, by: Any, expected_version: int | None = None) -> Case:
    """Give the case to ``assignee`` (staff of the case's office), or take it back with None."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if assignee is not None:
        from rathaus.accounts.selectors import staff_offices

        if not staff_offices(assignee).filter(pk=case.office_id).exists():
            raise InvalidInput(f"{assignee.full_name} arbeitet nicht in der Dienststelle dieses Vorgangs.")
    case.assignee = assignee
    case.status = Case.Status.IN_PROGRESS if assignee else Case.Status.OPEN
    _bump(case, ["assignee", "status"])
    audit.record(
        actor=by,
        action="efile.case_assigned",
        target=case,
        details={"assignee": assignee.pk if assignee else None},
    )
    return case


@transaction.atomic
def case_forward(
    *, case: Case, to_office: Any, by: Any, note: str, expected_version: int | None = None
) -> Case:
    """Hand the case, with its documents, to another office; it lands unassigned in their inbox."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if to_office.pk == case.office_id:
        raise InvalidInput("Der Vorgang liegt schon in dieser Dienststelle.", code="same_office")
    if not note.strip():
        raise InvalidInput("Bitte begründen Sie die Abgabe an die andere Dienststelle.", code="note_missing")
    from_office = case.office_id
    case.office = to_office
    case.assignee = None
    case.status = Case.Status.OPEN
    _bump(case, ["office", "assignee", "status"])
    audit.record(
        actor=by,
        action="efile.case_forwarded",
        target=case,
        details={"from": from_office, "to": to_office.pk, "note": note.strip()},
    )
    search_index.index_case(case)
    return case


@transaction.atomic
def case_resubmission_set(
    *, case: Case, on: datetime.date | None, by: Any, expected_version: int | None = None
) -> Case:
    """Set (or clear with None) the date on which the case comes back (Wiedervorlage)."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if on is not None and on < timezone.localdate():
        raise InvalidInput(
            "Die Wiedervorlage darf nicht in der Vergangenheit liegen.", code="resubmission_past"
        )
    case.resubmission_on = on
    _bump(case, ["resubmission_on"])
    audit.record(actor=by, action="efile.case_resubmission_set", target=case, details={"on": on})
    return case


@transaction.atomic
def case_close(*, case: Case, by: Any, expected_version: int | None = None) -> Case:
    """Close the case (z. d. A.); afterwards it only changes through ``case_reopen``."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.resubmission_on = None
    _bump(case, ["status", "closed_at", "resubmission_on"])
    audit.record(actor=by, action="efile.case_closed", target=case)
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: Any, reason: str, expected_version: int | None = None) -> Case:
    """Reopen a closed case; the reason is mandatory and kept in the audit log."""
    case = _locked(case, expected_version)
    if not case.is_closed:
        raise InvalidInput("Der Vorgang ist nicht abgeschlossen.", code="case_not_closed")
    if case.case_file.is_closed:
        raise CaseClosed(
            f"Die Akte {case.case_file.aktenzeichen} ist geschlossen; "
            "ihre Vorgänge können nicht wieder aufgenommen werden."
        )
    if not reason.strip():
        raise InvalidInput("Bitte begründen Sie die Wiederaufnahme.", code="reason_missing")
    case.status = Case.Status.IN_PROGRESS if case.assignee_id else Case.Status.OPEN
    case.closed_at = None
    _bump(case, ["status", "closed_at"])
    audit.record(actor=by, action="efile.case_reopened", target=case, details={"reason": reason.strip()})
    return case


@transaction.atomic
def document_add(
    *,
    case: Case,
    title: str,
    content: bytes | IO[bytes],
    filename: str,
    by: Any,
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
    checked = _checked_content(content, filename)
    blob = blobs.store(
        content=checked,
        filename=filename,
        declared_type=declared_type,
        allowed_types=DOCUMENT_TYPES,
        max_bytes=MAX_DOCUMENT_BYTES,
    )
    document = Document.objects.create(case=case, title=title[:300], direction=direction, created_by=by)
    version = DocumentVersion.objects.create(
        document=document,
        number=1,
        blob=blob,
        filename=blobs.safe_filename(filename),
        reason="",
        text=_text_of(checked),
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
    content: bytes | IO[bytes],
    filename: str,
    reason: str,
    by: Any,
    declared_type: str | None = None,
) -> DocumentVersion:
    """Add a new version; earlier versions stay as they were (never overwritten)."""
    case = _locked(document.case, None)
    _refuse_closed(case)
    if not reason.strip():
        raise InvalidInput("Bitte geben Sie an, warum eine neue Version entsteht.", code="reason_missing")
    checked = _checked_content(content, filename)
    blob = blobs.store(
        content=checked,
        filename=filename,
        declared_type=declared_type,
        allowed_types=DOCUMENT_TYPES,
        max_bytes=MAX_DOCUMENT_BYTES,
    )
    last = document.versions.aggregate(m=Max("number"))["m"] or 0
    version = DocumentVersion.objects.create(
        document=document,
        number=last + 1,
        blob=blob,
        filename=blobs.safe_filename(filename),
        reason=reason.strip()[:500],
        text=_text_of(checked),
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
def document_downloaded(*, version: DocumentVersion, by: Any) -> None:
    """Record a download (revision safety: every view and download is in the audit log)."""
    audit.record(
        actor=by,
        action="efile.document_downloaded",
        target=version.document.case,
        details={"document": version.document_id, "version": version.number},
    )


@transaction.atomic
def document_viewed(*, version: DocumentVersion, by: Any) -> None:
    """Record that ``by`` opened a version in the case page's viewer (like a download)."""
    audit.record(
        actor=by,
        action="efile.document_viewed",
        target=version.document.case,
        details={"document": version.document_id, "version": version.number},
    )


# --- Scan intake and OCR ------------------------------------------------------------------

OCR_REASON = "Texterkennung (OCR): durchsuchbares PDF/A; das Original bleibt Version {number}."
OCR_NO_TEXT = "Kein Text gefunden: die Texterkennung hat auf den Seiten keinen Text erkannt."
# OCR output re-encodes the page images and may be larger than the scan it came from.
MAX_OCR_BYTES = 2 * MAX_DOCUMENT_BYTES


def ocr_task_key(version_id: int) -> str:
    return f"efile-ocr:{version_id}"


def _queue_ocr_if_scan(document: Document, version: DocumentVersion) -> None:
    """Mark a scan's document as waiting for OCR and queue the task once the transaction commits."""
    if ocr.needs_ocr(content_type=version.blob.content_type, text=version.text):
        document.ocr_status = Document.OcrStatus.PENDING
        document.ocr_error = ""
        document.save(update_fields=["ocr_status", "ocr_error"])
        transaction.on_commit(lambda: _enqueue_ocr(document.pk, version.pk))
    elif document.ocr_status in (Document.OcrStatus.PENDING, Document.OcrStatus.FAILED):
        # A new version that carries its own text supersedes the scan waiting for OCR.
        document.ocr_status = Document.OcrStatus.NOT_NEEDED
        document.ocr_error = ""
        document.save(update_fields=["ocr_status", "ocr_error"])


def _enqueue_ocr(document_id: int, version_id: int) -> None:
    from rathaus.kernel.tasks import enqueue_once

    from .tasks import ocr_document

    enqueue_once(ocr_document, key=ocr_task_key(version_id), document_id=document_id, version_id=version_id)


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
def document_ocr_retry(*, document: Document, by: Any) -> Document:
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
    *, office: Any, case: Case | None, file_plan_entry: FilePlanEntry | None, subject: str, by: Any
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
    office: Any,
    content: bytes | IO[bytes],
    filename: str,
    by: Any,
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
    office: Any,
    content: bytes | IO[bytes],
    filename: str,
    by: Any,
    case: Case | None = None,
    file_plan_entry: FilePlanEntry | None = None,
    split: bool = True,
) -> list[Document]:
    """File a scan, with ``split`` a batch cut at blank separator pages: one document per
    letter (each in a new case when no ``case`` is given), blank pages dropped. A scan
    without blank pages is one document. All parts or none are filed."""
    from . import batch

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


# --- Notes, Bescheide, resubmission reminders ------------------------------------------------

MAX_NOTE_CHARS = 10_000


@transaction.atomic
def case_note_add(*, case: Case, text: str, by: Any) -> CaseNote:
    """Add a note to the case. Notes are append-only, so they never conflict with other edits."""
    case = _locked(case, None)
    _refuse_closed(case)
    text = text.strip()
    if not text:
        raise InvalidInput("Bitte schreiben Sie einen Text für die Notiz.", code="note_empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(
            f"Die Notiz ist zu lang (höchstens {MAX_NOTE_CHARS} Zeichen).", code="note_too_long"
        )
    note = CaseNote.objects.create(case=case, text=text, created_by=by)
    # The text itself may hold personal data: the audit entry records that a note was written.
    audit.record(
        actor=by, action="efile.case_note_added", target=case, details={"note": note.pk, "chars": len(text)}
    )
    search_index.index_case(case)
    return note


@transaction.atomic
def bescheid_issue(
    *,
    case: Case,
    title: str,
    body: str,
    by: Any,
    addressee: str = "",
    with_remedy_notice: bool = True,
    expected_version: int | None = None,
) -> Document:
    """Generate a Bescheid as a PDF and file it into the case as an outgoing document."""
    from rathaus.domain.efile.bescheid import Bescheid, InvalidBescheid

    from . import bescheid_pdf

    case = _locked(case, expected_version)
    _refuse_closed(case)
    office = case.office
    address = ", ".join(
        part for part in (office.street_address, f"{office.postal_code} {office.city}".strip()) if part
    )
    issued_on = timezone.localdate()
    try:
        bescheid = Bescheid(
            authority=office.name,
            authority_address=address,
            aktenzeichen=case.case_file.aktenzeichen,
            issued_on=issued_on,
            title=title.strip(),
            body=body,
            officer=getattr(by, "full_name", "") or "",
            addressee=tuple(line.strip() for line in addressee.splitlines() if line.strip())[:8],
            with_remedy_notice=with_remedy_notice,
        )
    except InvalidBescheid as exc:
        raise InvalidInput(str(exc), code="bescheid_invalid") from exc
    content = bescheid_pdf.render(bescheid)
    reference = case.case_file.aktenzeichen.replace(" ", "_").replace("/", "-")
    document = document_add(
        case=case,
        title=title.strip()[:300],
        content=content,
        filename=f"Bescheid_{reference}_{issued_on.isoformat()}.pdf",
        by=by,
        direction=Document.Direction.OUTGOING,
    )
    audit.record(
        actor=by,
        action="efile.bescheid_issued",
        target=case,
        details={"document": document.pk, "title": title.strip()},
    )
    return document


def resubmission_reminders_enqueue(*, on: datetime.date) -> int:
    """Queue one reminder per staff member with cases due for resubmission on ``on`` or earlier.

    A case's reminder goes to its assignee; an unassigned case to everyone working on the
    office's cases. Keyed per person and day, so running this twice a day sends one e-mail.
    Returns the number of people reminded.
    """
    from rathaus.kernel.tasks import enqueue_once

    from . import selectors
    from .tasks import send_resubmission_reminder

    recipients = selectors.resubmission_recipients(on=on)
    for user_id in recipients:
        enqueue_once(
            send_resubmission_reminder,
            key=f"efile-resubmission:{on.isoformat()}:{user_id}",
            user_id=user_id,
            on=on.isoformat(),
        )
    return len(recipients)
