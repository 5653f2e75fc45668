"""Scanned images as OCR sees them: the PDF that shows them and one file per page for Tesseract.

The PDF keeps the pixels as they came (img2pdf embeds PNG, JPEG and TIFF data losslessly,
without decoding it where it can); Tesseract reads a single-page PNG or JPEG upload directly, so
an image is never rasterised. Only what neither reads as it is (alpha channels, palettes with
transparency, CMYK, multi-page TIFFs) is converted with Pillow, once, and both use the result.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import filechecks
from ..filechecks import MAX_IMAGE_PIXELS
from .errors import TOO_LARGE, OcrFailed, OcrTooLarge

# A scan without resolution metadata is taken to be an A4 page: its width spans 210 mm.
A4_WIDTH_INCHES = 210 / 25.4
MIN_DPI, MAX_DPI = 70, 1200
# Modes both img2pdf and Tesseract take as they are.
PLAIN_MODES = frozenset({"1", "L", "RGB"})


@dataclass(frozen=True)
class PageImage:
    """One page as a file Tesseract reads, and its resolution (dots per inch)."""

    path: Path
    dpi: int


@dataclass(frozen=True)
class _Embeddable:
    data: bytes  # what img2pdf embeds: the upload, or its frames converted by Pillow
    fixed_dpi: float | None  # the resolution to impose (None: the image's own is plausible)
    converted: bool


def _assumed_dpi(width: int) -> float:
    return min(MAX_DPI, max(MIN_DPI, width / A4_WIDTH_INCHES))


def _plausible_dpi(info: Mapping[Any, object]) -> float | None:
    dpi = info.get("dpi")
    if isinstance(dpi, tuple) and dpi and MIN_DPI <= float(dpi[0]) <= MAX_DPI:
        return float(dpi[0])
    return None


def _embeddable(data: bytes) -> _Embeddable:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:  # filechecks refused these; belt and braces
            raise OcrTooLarge(
                f"{TOO_LARGE}: das Bild hat mehr als {MAX_IMAGE_PIXELS // 1_000_000} Millionen Pixel."
            )
        _check_frames(image)
        dpi = _plausible_dpi(image.info)
        frames = int(getattr(image, "n_frames", 1))
        plain = image.mode in PLAIN_MODES and "transparency" not in image.info
        if plain and (image.format in ("PNG", "JPEG") and frames == 1 or image.format == "TIFF"):
            return _Embeddable(data, None if dpi else _assumed_dpi(width), converted=False)
        converted = []
        for index in range(frames):
            image.seek(index)
            converted.append(image.copy() if image.mode in PLAIN_MODES else image.convert("RGB"))
        buffer = io.BytesIO()
        converted[0].save(
            buffer,
            "TIFF",
            save_all=True,
            append_images=converted[1:],
            compression="tiff_deflate",
            dpi=(dpi or _assumed_dpi(width),) * 2,
        )
    return _Embeddable(buffer.getvalue(), None, converted=True)


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


def _to_pdf(image: _Embeddable) -> bytes:
    import img2pdf

    try:
        if image.fixed_dpi is None:
            return bytes(img2pdf.convert(image.data, rotation=img2pdf.Rotation.ifvalid))
        layout = img2pdf.get_fixed_dpi_layout_fun((image.fixed_dpi, image.fixed_dpi))
        return bytes(img2pdf.convert(image.data, layout_fun=layout, rotation=img2pdf.Rotation.ifvalid))
    except (img2pdf.ImageOpenError, img2pdf.PdfTooLargeError, ValueError, OSError) as exc:
        raise OcrFailed(f"Das Bild lässt sich nicht in ein PDF umwandeln ({exc}).") from exc


def image_to_pdf(data: bytes) -> bytes:
    """A PDF with one page per image frame, the pixels embedded losslessly where possible.

    Images without a (plausible) resolution are sized as A4 pages. Modes img2pdf cannot embed
    as they are (alpha channels, palettes, CMYK) are converted with Pillow first.
    """
    return _to_pdf(_embeddable(data))


class ScanImage:
    """An uploaded image: ``pdf`` shows it, ``write_pages`` puts its pages where Tesseract
    reads them."""

    def __init__(self, data: bytes) -> None:
        self._image = _embeddable(data)
        self.pdf = _to_pdf(self._image)

    def write_pages(self, workdir: Path) -> list[PageImage]:
        from PIL import Image

        data = self._image.data
        with Image.open(io.BytesIO(data)) as image:
            own_dpi = self._image.fixed_dpi or _plausible_dpi(image.info) or _assumed_dpi(image.width)
            if image.format in ("PNG", "JPEG") and not self._image.converted:
                path = workdir / f"page-0001.{'jpg' if image.format == 'JPEG' else 'png'}"
                path.write_bytes(data)
                return [PageImage(path, round(own_dpi))]
            pages = []
            for index in range(int(getattr(image, "n_frames", 1))):
                image.seek(index)
                dpi = self._image.fixed_dpi or _plausible_dpi(image.info) or own_dpi
                pages.append(write_page(image, workdir / f"page-{index + 1:04d}", dpi=round(dpi)))
            return pages


def write_page(image: object, stem: Path, *, dpi: int) -> PageImage:
    """Write one page (a Pillow image) for Tesseract: bilevel pages as Group 4 TIFF, others as
    quickly compressed PNG (the file is temporary)."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    frame = image if image.mode in PLAIN_MODES else image.convert("RGB")
    if frame.mode == "1":
        path = stem.with_suffix(".tif")
        frame.save(path, "TIFF", compression="group4", dpi=(dpi, dpi))
    else:
        path = stem.with_suffix(".png")
        frame.save(path, "PNG", compress_level=1, dpi=(dpi, dpi))
    return PageImage(path, dpi)
