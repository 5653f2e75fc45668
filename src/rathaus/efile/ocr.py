"""Text recognition (OCR) for scanned documents: OCRmyPDF with Tesseract's German model.

``recognise(data)`` turns a scan (PDF without a text layer, PNG, JPEG or TIFF) into a searchable
PDF/A-2b and the recognised text. Images are first wrapped losslessly into a PDF (img2pdf);
OCRmyPDF then runs in a child process with a timeout, so a hanging or crashing Tesseract or
Ghostscript never takes the worker with it (decision 0053).

Before OCRmyPDF starts, the PDF's workload is measured (``filechecks.ocr_workload``: decoded
drawing instructions per page, page pixels per page and in total); a document over the
limits is not OCRed (``OcrTooLarge``). Neither that nor a timeout (``OcrTimedOut``) is retried
by the task: the same bytes would give the same result (decision 0055, amendment).

Settings (all optional): ``EFILE_OCR_LANGUAGE`` ("deu"; Tesseract codes joined with "+"),
``EFILE_OCR_TIMEOUT_SECONDS`` (300), ``EFILE_OCR_JOBS`` (1: one core per document; scale with
more workers instead), ``EFILE_OCR_ROTATE_PAGES`` (True).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from rathaus.kernel import filetypes
from rathaus.kernel.exceptions import InvalidInput
from rathaus.kernel.tasks import NoRetry

from . import filechecks
from .filechecks import MAX_IMAGE_PIXELS, MAX_TEXT_CHARS

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})
# A scan without resolution metadata is taken to be an A4 page: its width spans 210 mm.
A4_WIDTH_INCHES = 210 / 25.4
MIN_DPI, MAX_DPI = 70, 1200


class OcrFailed(Exception):
    """OCR did not produce a document; the message is German and shown to staff."""


class OcrTooLarge(OcrFailed, NoRetry):
    """The document is over the OCR limits; OCR did not start. Its message begins with
    TOO_LARGE ("Zu groß für die Texterkennung")."""


class OcrTimedOut(OcrFailed, NoRetry):
    """OCR ran out of time; the same file would run out of time again."""


TOO_LARGE = filechecks.OCR_TOO_LARGE


def is_too_large(error: str) -> bool:
    """Whether a document's ``ocr_error`` says it was too large for OCR (no retry helps)."""
    return error.startswith(TOO_LARGE)


@dataclass(frozen=True)
class OcrResult:
    pdf: bytes
    text: str


def needs_ocr(*, content_type: str, text: str) -> bool:
    """Scans need OCR: images, and PDFs from which no text could be extracted."""
    if content_type in IMAGE_TYPES:
        return True
    return content_type == filetypes.PDF and not text.strip()


def _assumed_dpi(width: int) -> float:
    return min(MAX_DPI, max(MIN_DPI, width / A4_WIDTH_INCHES))


def image_to_pdf(data: bytes) -> bytes:
    """A PDF with one page per image frame, the pixels embedded losslessly where possible.

    Images without a (plausible) resolution are sized as A4 pages. Modes img2pdf cannot embed
    as they are (alpha channels, palettes with transparency) are converted with Pillow first.
    """
    import img2pdf
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:  # filechecks refused these; belt and braces
            raise OcrTooLarge(
                f"{TOO_LARGE}: das Bild hat mehr als {MAX_IMAGE_PIXELS // 1_000_000} Millionen Pixel."
            )
        _check_frames(image)
        dpi = image.info.get("dpi")
        plausible = bool(dpi) and MIN_DPI <= float(dpi[0]) <= MAX_DPI
        needs_conversion = image.mode not in ("1", "L", "RGB", "CMYK") or "transparency" in image.info
        if needs_conversion:
            frames = []
            for index in range(getattr(image, "n_frames", 1)):
                image.seek(index)
                frames.append(image.convert("RGB"))
            buffer = io.BytesIO()
            frames[0].save(
                buffer,
                "TIFF",
                save_all=True,
                append_images=frames[1:],
                compression="tiff_deflate",
                dpi=(dpi if plausible else (_assumed_dpi(width),) * 2),
            )
            data = buffer.getvalue()
            plausible = True
    fixed_dpi = None if plausible else _assumed_dpi(width)
    try:
        if fixed_dpi is None:
            return bytes(img2pdf.convert(data, rotation=img2pdf.Rotation.ifvalid))
        layout = img2pdf.get_fixed_dpi_layout_fun((fixed_dpi, fixed_dpi))
        return bytes(img2pdf.convert(data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    except (img2pdf.ImageOpenError, img2pdf.PdfTooLargeError, ValueError, OSError) as exc:
        raise OcrFailed(f"Das Bild lässt sich nicht in ein PDF umwandeln ({exc}).") from exc


def _check_frames(image: object) -> None:
    """Refuse a multi-page image whose frames together exceed the document pixel budget,
    before they are converted (only the frames' headers are read)."""
    frames = getattr(image, "n_frames", 1)
    if frames <= 1:
        return
    total = 0
    for index in range(min(frames, filechecks.MAX_TIFF_FRAMES + 1)):
        image.seek(index)  # type: ignore[attr-defined]
        width, height = image.size  # type: ignore[attr-defined]
        total += width * height
    image.seek(0)  # type: ignore[attr-defined]
    workload = filechecks.OcrWorkload(pages=frames, content_bytes=0, largest_page_pixels=0, pixels=total)
    reason = workload.refusal()
    if reason:
        raise OcrTooLarge(reason)


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
    pdf = image_to_pdf(data) if content_type in IMAGE_TYPES else data
    check_workload(pdf)
    language = getattr(settings, "EFILE_OCR_LANGUAGE", "deu")
    timeout = getattr(settings, "EFILE_OCR_TIMEOUT_SECONDS", 300)
    jobs = getattr(settings, "EFILE_OCR_JOBS", 1)
    # Pages fed upside down or sideways are turned upright; costs a second Tesseract pass
    # (page orientation) of about a third of the OCR time.
    rotate = getattr(settings, "EFILE_OCR_ROTATE_PAGES", True)
    with tempfile.TemporaryDirectory(prefix="rathaus-ocr-") as tmp:
        source, target, sidecar = Path(tmp, "scan.pdf"), Path(tmp, "ocr.pdf"), Path(tmp, "text.txt")
        source.write_bytes(pdf)
        command = [
            sys.executable, "-m", "ocrmypdf",
            "--language", language,
            "--output-type", "pdfa-2",
            # Only PDFs without extractable text get here; --force-ocr also handles a text
            # layer pypdf could not read, and unlike --skip-text it is safe with Ghostscript 10.0.
            "--force-ocr",
            *(["--rotate-pages"] if rotate else []),
            "--jobs", str(jobs),
            "--max-image-mpixels", str(MAX_IMAGE_PIXELS // 1_000_000 * 2),
            "--sidecar", str(sidecar),
            "--quiet",
            str(source), str(target),
        ]  # fmt: skip
        try:
            finished = subprocess.run(  # noqa: S603 (fixed argument list, no shell)
                command, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrTimedOut(
                f"Die Texterkennung hat nach {timeout} Sekunden abgebrochen; sie wird für diese "
                "Datei nicht automatisch wiederholt."
            ) from exc
        except OSError as exc:
            raise OcrFailed(f"Die Texterkennung ließ sich nicht starten ({exc}).") from exc
        if finished.returncode != 0 or not target.exists():
            detail = (finished.stderr or finished.stdout).strip().splitlines()
            reason = detail[-1][:300] if detail else f"Exit-Code {finished.returncode}"
            raise OcrFailed(f"Die Texterkennung ist fehlgeschlagen: {reason}")
        text = sidecar.read_text(encoding="utf-8", errors="replace") if sidecar.exists() else ""
        return OcrResult(pdf=target.read_bytes(), text=_clean_sidecar(text)[:MAX_TEXT_CHARS])


def _clean_sidecar(text: str) -> str:
    """The sidecar's text without OCRmyPDF's "[OCR skipped on page(s) …]" placeholders."""
    lines = [line for line in text.replace("\f", "\n").splitlines() if not line.startswith("[OCR skipped")]
    return "\n".join(lines).strip()
