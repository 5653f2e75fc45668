"""Writes of the E-Akte: each use case one function, one transaction, its audit entry inside.

Other apps file their cases with ``case_create`` and add documents with ``document_add``.
Errors are ``rathaus.kernel.exceptions`` subclasses with German messages (the API turns them
into problem+json, the views into form errors); nothing is written when one is raised.

The package is split by responsibility; import from the package, not its modules:

- ``fileplan``: file plan entries and files (Akten) with their Aktenzeichen;
- ``cases``: cases (Vorgänge), their notes and the resubmission reminders;
- ``documents``: documents and versions, views and downloads;
- ``intake``: scan intake and text recognition (OCR);
- ``bescheid``: Bescheide generated as PDF.

Background tasks are enqueued by their dotted path (``rathaus.efile.tasks.<name>``), so the
services never import ``rathaus.efile.tasks``.
"""

# Names outside ``__all__`` (``X as X``) are used by the app's own views, forms and tests.
from ._common import DOCUMENT_TYPES as DOCUMENT_TYPES
from ._common import MAX_DOCUMENT_BYTES, CaseClosed, StaleCase
from ._common import ocr_task_key as ocr_task_key
from .bescheid import bescheid_issue
from .cases import MAX_NOTE_CHARS as MAX_NOTE_CHARS
from .cases import (
    case_assign,
    case_close,
    case_confidentiality_set,
    case_create,
    case_forward,
    case_note_add,
    case_reopen,
    case_resubmission_set,
    resubmission_reminders_enqueue,
)
from .cases import resubmission_reminder_sent as resubmission_reminder_sent
from .documents import (
    CheckedContent,
    document_add,
    document_content_check,
    document_downloaded,
    document_version_add,
)
from .documents import document_viewed as document_viewed
from .fileplan import case_file_close, case_file_create, file_plan_entry_create, file_plan_entry_ensure
from .intake import MAX_OCR_BYTES as MAX_OCR_BYTES
from .intake import OCR_NO_TEXT as OCR_NO_TEXT
from .intake import OCR_REASON as OCR_REASON
from .intake import (
    document_ocr_retry,
    document_ocr_run,
    scan_batch_intake,
    scan_intake,
)
from .purge import PurgedFile, case_file_purge

__all__ = [
    "CheckedContent",
    "PurgedFile",
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
    "case_file_purge",
    "case_forward",
    "case_note_add",
    "case_reopen",
    "case_resubmission_set",
    "document_add",
    "document_content_check",
    "document_downloaded",
    "document_ocr_retry",
    "document_ocr_run",
    "document_version_add",
    "file_plan_entry_create",
    "file_plan_entry_ensure",
    "resubmission_reminders_enqueue",
    "scan_batch_intake",
    "scan_intake",
]
