"""Text recognition (OCR) for scanned documents: Tesseract's German model, a PDF/A with a text layer.

``recognise(data)`` turns a scan (PDF without a text layer, PNG, JPEG or TIFF) into a searchable
PDF/A-2b and the recognised text (decisions 0053, 0073). Per page, the work is the one
Tesseract recognition and little more:

1. the pages: an image is wrapped losslessly into a PDF (img2pdf) and Tesseract reads the image
   itself (``images``); a PDF is rendered once per page, in a child process (``raster``);
2. one Tesseract run per page writes its invisible text layer, its text and its per-word
   confidences; orientation detection runs only for a page that does not look upright, which
   is then recognised again turned (``tesseract``);
3. the text layers are laid over the pages and the file is written and validated as PDF/A-2b
   with pikepdf (``layers``).

Tesseract and the renderer run as child processes within one time limit (``runner``), so a
hanging or crashing one never takes the worker with it. Before anything runs, the PDF's workload
is measured (``filechecks.ocr_workload``: decoded drawing instructions per page, page pixels per
page and in total); a document over the limits is not OCRed (``OcrTooLarge``). Neither that nor
a timeout (``OcrTimedOut``) is retried by the task: the same bytes would give the same result
(decision 0055, amendment).

Settings (all optional): ``EFILE_OCR_LANGUAGE`` ("deu"; Tesseract codes joined with "+"),
``EFILE_OCR_TIMEOUT_SECONDS`` (300, for the whole document), ``EFILE_OCR_JOBS`` (1: one core per
document; pages recognised at once; scale with more workers instead), ``EFILE_OCR_ROTATE_PAGES``
(True: turn pages that are not upright).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from rathaus.kernel import filetypes
from rathaus.kernel.exceptions import InvalidInput

from .. import filechecks
from ..filechecks import MAX_TEXT_CHARS
from . import images, layers, raster, tesseract
from .errors import TOO_LARGE, OcrFailed, OcrTimedOut, OcrTooLarge, is_too_large
from .images import image_to_pdf
from .runner import Runner

__all__ = [
    "IMAGE_TYPES",
    "TOO_LARGE",
    "OcrFailed",
    "OcrPage",
    "OcrResult",
    "OcrTimedOut",
    "OcrTooLarge",
    "check_workload",
    "image_to_pdf",
    "is_too_large",
    "needs_ocr",
    "recognise",
]

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})


@dataclass(frozen=True)
class OcrPage:
    """What OCR did with one page: the mean word confidence (0–100), whether orientation
    detection ran, and the clockwise turn (0, 90, 180, 270) that made the page upright."""

    number: int
    confidence: float
    orientation_checked: bool
    rotation: int


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes
    text: str
    pages: tuple[OcrPage, ...] = ()

    @property
    def turned_pages(self) -> list[int]:
        """The numbers of the pages that were turned upright."""
        return [page.number for page in self.pages if page.rotation]


def needs_ocr(*, content_type: str, text: str) -> bool:
    """Scans need OCR: images, and PDFs from which no text could be extracted."""
    if content_type in IMAGE_TYPES:
        return True
    return content_type == filetypes.PDF and not text.strip()


def check_workload(pdf: bytes) -> None:
    """Raise ``OcrTooLarge`` if OCR of ``pdf`` would be over the limits (see module docstring)."""
    try:
        reason = filechecks.ocr_workload(pdf).refusal()
    except InvalidInput as exc:
        raise OcrFailed(f"Die Texterkennung ist fehlgeschlagen: {exc}") from exc
    if reason:
        raise OcrTooLarge(reason)


def recognise(data: bytes, *, content_type: str) -> OcrResult:
    """Run OCR on a scan; raises ``OcrFailed`` with a German reason (``OcrTooLarge`` before
    OCR starts for a document over the limits, ``OcrTimedOut`` when OCR ran out of time)."""
    language = getattr(settings, "EFILE_OCR_LANGUAGE", "deu")
    jobs = max(1, int(getattr(settings, "EFILE_OCR_JOBS", 1)))
    orient = bool(getattr(settings, "EFILE_OCR_ROTATE_PAGES", True))
    scan = images.ScanImage(data) if content_type in IMAGE_TYPES else None
    check_workload(scan.pdf if scan else data)
    with tempfile.TemporaryDirectory(prefix="rathaus-ocr-") as tmp:
        runner = Runner(timeout=getattr(settings, "EFILE_OCR_TIMEOUT_SECONDS", 300), workdir=Path(tmp))
        if scan is not None:
            pdf, pages = scan.pdf, scan.write_pages(runner.workdir)
        else:
            pages = raster.rasterise(data, runner=runner)
            pdf = raster.pages_to_pdf(pages)

        def read(page: images.PageImage) -> tesseract.PageText:
            return tesseract.recognise_page(page, runner=runner, language=language, orient=orient)

        texts = _map(read, pages, jobs=jobs)
        searchable = layers.searchable_pdfa(pdf, texts)
    text = "\n\n".join(page.text.strip() for page in texts if page.text.strip())
    return OcrResult(
        pdf=searchable,
        text=text[:MAX_TEXT_CHARS],
        pages=tuple(
            OcrPage(
                number=number,
                confidence=round(page.reading.confidence, 1),
                orientation_checked=page.orientation_checked,
                rotation=page.rotation,
            )
            for number, page in enumerate(texts, start=1)
        ),
    )


def _map(
    read: Callable[[images.PageImage], tesseract.PageText], pages: list[images.PageImage], *, jobs: int
) -> list[tesseract.PageText]:
    if jobs == 1 or len(pages) == 1:
        return [read(page) for page in pages]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="ocr") as pool:
        return list(pool.map(read, pages))
