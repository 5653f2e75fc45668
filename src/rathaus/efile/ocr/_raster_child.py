"""Rasterise the pages of a PDF for OCR, in a child process (run as a script by ``raster.py``).

    python -I _raster_child.py <pdf> <output directory> <max pixels per page> <default dpi>

Each page is rendered once with pypdfium2 at the resolution of its largest image (the scan's
own resolution; the default, 300 dpi, for a page without images), kept within 150–600 dpi and
the pixel limit, in greyscale when the page has no colour, and written as ``page-NNNN.png``
with its resolution. Prints one JSON list of ``[file name, dpi]``. Imports only pypdfium2 and Pillow, so
it starts fast and needs no Django.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

MIN_DPI, MAX_DPI = 150, 600


def _image_dpi(page: Any) -> float | None:
    """The resolution of the page's largest image, in dots per inch; None without images."""
    import pypdfium2.raw as pdfium_c

    best: tuple[int, float] | None = None
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=4):
        width_px, height_px = image.get_px_size()
        left, bottom, right, top = image.get_bounds()
        if width_px <= 0 or height_px <= 0 or right - left <= 0 or top - bottom <= 0:
            continue
        dpi = max(width_px / ((right - left) / 72), height_px / ((top - bottom) / 72))
        if best is None or width_px * height_px > best[0]:
            best = (width_px * height_px, dpi)
    return best[1] if best else None


def _dpi(page: Any, max_pixels: int, default: int) -> int:
    width_in, height_in = (size / 72 for size in page.get_size())
    dpi = min(MAX_DPI, max(MIN_DPI, _image_dpi(page) or default))
    if width_in > 0 and height_in > 0:
        dpi = min(dpi, math.sqrt(max_pixels / (width_in * height_in)))
    return max(1, math.floor(dpi))


def _without_colour(image: Image) -> Image:
    from PIL import ImageChops

    if image.mode != "RGB":
        return image
    red, green, blue = image.split()
    if ImageChops.difference(red, green).getbbox() or ImageChops.difference(green, blue).getbbox():
        return image
    return red  # all three channels are the same grey


def main(argv: list[str]) -> int:
    import pypdfium2

    source, target, max_pixels, default_dpi = Path(argv[0]), Path(argv[1]), int(argv[2]), int(argv[3])
    document = pypdfium2.PdfDocument(source)
    written = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                dpi = _dpi(page, max_pixels, default_dpi)
                image = _without_colour(page.render(scale=dpi / 72).to_pil())
            finally:
                page.close()
            name = f"page-{index + 1:04d}.png"
            image.save(target / name, "PNG", dpi=(dpi, dpi))
            written.append([name, dpi])
    finally:
        document.close()
    print(json.dumps(written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
