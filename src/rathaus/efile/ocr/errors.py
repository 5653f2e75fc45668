"""The ways OCR fails; their messages are German and shown to staff on the case page."""

from __future__ import annotations

from rathaus.kernel.tasks import NoRetry

from .. import filechecks

TOO_LARGE = filechecks.OCR_TOO_LARGE


class OcrFailed(Exception):
    """OCR did not produce a document; the message is German and shown to staff."""


class OcrTooLarge(OcrFailed, NoRetry):
    """The document is over the OCR limits; OCR did not start. Its message begins with
    TOO_LARGE ("Zu groß für die Texterkennung")."""


class OcrTimedOut(OcrFailed, NoRetry):
    """OCR ran out of time; the same file would run out of time again."""


def is_too_large(error: str) -> bool:
    """Whether a document's ``ocr_error`` says it was too large for OCR (no retry helps)."""
    return error.startswith(TOO_LARGE)
