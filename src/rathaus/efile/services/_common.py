"""Shared pieces of the E-Akte services: errors, size limits, row locking, content checks.

Private to ``rathaus.efile.services``; other apps use the names re-exported by the package.
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.db import transaction

from rathaus.kernel import blobs, filetypes
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import filechecks, ocr
from ..models import Case, Document, DocumentVersion

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
# Machine-readable records (an online application's data, decision 0107) are kept as JSON.
DOCUMENT_TYPES = blobs.DOCUMENT_TYPES | {filetypes.JSON}


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


def _check_confidentiality(value: str) -> None:
    if value not in Case.Confidentiality.values:
        raise InvalidInput(
            f"Unbekannte Vertraulichkeit „{value}“. Erlaubt: {', '.join(Case.Confidentiality.values)}.",
            code="confidentiality",
        )


def _refuse_closed(case: Case) -> None:
    if case.is_closed:
        raise CaseClosed()


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

    enqueue_once(
        "rathaus.efile.tasks.ocr_document",
        key=ocr_task_key(version_id),
        document_id=document_id,
        version_id=version_id,
    )
