"""Scanned PDFs (no text layer) as OCR sees them: each page rendered once, in a child process.

The rendered pages serve twice: Tesseract reads them, and they become the pages of the
searchable PDF (as OCRmyPDF's ``--force-ocr`` did: whatever drew the page is replaced by its
image, so a text layer pypdf could not read does not end up twice). The renderer, PDFium,
runs in a child process (``_raster_child.py``, within the OCR's deadline) because the PDF
comes from outside.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..filechecks import MAX_OCR_PAGE_PIXELS, OCR_DPI
from .errors import OcrFailed
from .images import PageImage
from .runner import Runner

CHILD = Path(__file__).with_name("_raster_child.py")


def rasterise(pdf: bytes, *, runner: Runner) -> list[PageImage]:
    """The pages of ``pdf`` as PNG files in the runner's working directory."""
    source = runner.workdir / "scan.pdf"
    source.write_bytes(pdf)
    # -I: no PYTHON* variables, no user site, not the script's folder on the path.
    finished = runner.checked(
        [
            sys.executable,
            "-I",
            str(CHILD),
            str(source),
            str(runner.workdir),
            str(MAX_OCR_PAGE_PIXELS),
            str(OCR_DPI),
        ]
    )
    try:
        written = json.loads(finished.stdout.strip().splitlines()[-1])
        return [PageImage(runner.workdir / str(name), int(dpi)) for name, dpi in written]
    except (IndexError, ValueError, TypeError) as exc:
        raise OcrFailed("Die Texterkennung ist fehlgeschlagen: die Seiten ließen sich nicht lesen.") from exc


def pages_to_pdf(pages: list[PageImage]) -> bytes:
    """The rendered pages as a PDF, the PNG data embedded as it is (img2pdf)."""
    import img2pdf

    try:
        return bytes(img2pdf.convert([str(page.path) for page in pages]))
    except (img2pdf.ImageOpenError, img2pdf.PdfTooLargeError, ValueError, OSError) as exc:
        raise OcrFailed(f"Die Seiten lassen sich nicht in ein PDF umwandeln ({exc}).") from exc
