"""Cutting a batch scan (multi-page PDF or TIFF) into letters at blank separator pages.

The decision which pages are blank and where to cut is ``rathaus.domain.efile.separator``;
this module renders pages small (PDF with pypdfium2 at 60 dpi, TIFF frames with Pillow) and
writes the parts losslessly (pypdf copies PDF pages; TIFF frames are re-saved without loss).
Only call it on data that passed ``filechecks.check``: that bounds pages and pixels.
"""

from __future__ import annotations

import io

from rathaus.domain.efile.separator import is_blank, split_ranges
from rathaus.kernel import filetypes

PREVIEW_DPI = 60
PREVIEW_MAX_SIDE = 600


def _blank_image(image) -> bool:  # type: ignore[no-untyped-def]
    from PIL import Image

    preview = image.convert("L")
    preview.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE), resample=Image.Resampling.BOX)
    width, height = preview.size
    return is_blank(preview.tobytes(), width=width, height=height)


def _pdf_parts(data: bytes) -> list[bytes] | None:
    import pypdfium2
    from pypdf import PdfReader, PdfWriter

    document = pypdfium2.PdfDocument(data)
    try:
        blank = []
        for index in range(len(document)):
            page = document[index]
            try:
                blank.append(_blank_image(page.render(scale=PREVIEW_DPI / 72, grayscale=True).to_pil()))
            finally:
                page.close()
    finally:
        document.close()
    ranges = split_ranges(blank)
    if not any(blank) or not ranges:
        return None
    reader = PdfReader(io.BytesIO(data))
    parts = []
    for pages in ranges:
        writer = PdfWriter()
        for index in pages:
            writer.add_page(reader.pages[index])
        buffer = io.BytesIO()
        writer.write(buffer)
        parts.append(buffer.getvalue())
    return parts


def _tiff_parts(data: bytes) -> list[bytes] | None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        frames = []
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            frames.append(image.copy())
    blank = [_blank_image(frame) for frame in frames]
    ranges = split_ranges(blank)
    if not any(blank) or not ranges:
        return None
    parts = []
    for pages in ranges:
        chosen = [frames[index] for index in pages]
        buffer = io.BytesIO()
        compression = "group4" if all(frame.mode == "1" for frame in chosen) else "tiff_deflate"
        dpi = chosen[0].info.get("dpi")
        extra = {"dpi": dpi} if dpi else {}
        chosen[0].save(
            buffer, "TIFF", save_all=True, append_images=chosen[1:], compression=compression, **extra
        )
        parts.append(buffer.getvalue())
    return parts


def split_at_blank_pages(data: bytes) -> list[bytes] | None:
    """The letters in a batch scan, or None when it has no blank page to cut at (one letter)
    or is not a multi-page PDF or TIFF. Blank pages themselves are dropped."""
    kind = filetypes.detect(data[:65536])
    if kind == filetypes.PDF:
        return _pdf_parts(data)
    if kind == "image/tiff":
        return _tiff_parts(data)
    return None
