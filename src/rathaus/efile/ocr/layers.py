"""The searchable PDF/A: each scanned page with Tesseract's invisible text laid over it.

The scan's page is kept as it is (its image is not decoded or re-encoded); the text layer,
a one-page PDF Tesseract wrote for the page as it recognised it, becomes a form XObject drawn
over the page, scaled to it. A page Tesseract recognised turned upright gets the same turn as
its ``/Rotate`` and its text layer is drawn turned back, so text and image stay aligned in
every viewer. pikepdf's PDF/A module then declares PDF/A-2b (sRGB output intent, XMP
metadata), writes the file and validates what it wrote; a file it does not approve is an error,
never silently a plain PDF.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import ExitStack
from typing import Any

from .errors import OcrFailed
from .tesseract import PageText


def _placement(rotation: int, *, page: tuple[float, float, float, float], layer: tuple[float, float]) -> str:
    """The ``cm`` operands that draw a text layer of ``layer`` size (width, height), made from
    the scan turned clockwise by ``rotation``, over the unturned ``page`` (its media box)."""
    x0, y0, x1, y1 = page
    width, height = x1 - x0, y1 - y0
    shown_width, shown_height = (height, width) if rotation in (90, 270) else (width, height)
    sx, sy = shown_width / layer[0], shown_height / layer[1]
    # (a, b, c, d, e, f): x = a·u + c·v + e, y = b·u + d·v + f, from the upright layer's (u, v)
    # to the page's unturned space, which a viewer then turns by /Rotate.
    matrix = {
        0: (sx, 0.0, 0.0, sy, x0, y0),
        90: (0.0, sx, -sy, 0.0, x0 + width, y0),
        180: (-sx, 0.0, 0.0, -sy, x0 + width, y0 + height),
        270: (0.0, -sx, sy, 0.0, x0, y0 + height),
    }[rotation]
    return " ".join(f"{value:.6f}" for value in matrix)


def _box(array: Any) -> tuple[float, float, float, float]:
    """A PDF rectangle (``[x0 y0 x1 y1]``, corners in any order) as (left, bottom, right, top)."""
    x0, y0, x1, y1 = (float(value) for value in array)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def searchable_pdfa(scan: bytes, pages: Sequence[PageText]) -> bytes:
    """``scan`` (one page per recognised page, in order) with the text layers of ``pages``,
    as a validated PDF/A-2b."""
    import pikepdf
    from pikepdf.pdfa import PdfaError, save

    out = io.BytesIO()
    # The text layers stay open until the file is written: qpdf copies their streams then.
    with pikepdf.open(io.BytesIO(scan)) as pdf, ExitStack() as layers:
        if len(pdf.pages) != len(pages):
            raise OcrFailed(
                f"Die Texterkennung ist fehlgeschlagen: {len(pages)} erkannte Seiten für "
                f"{len(pdf.pages)} Seiten."
            )
        for page, text in zip(pdf.pages, pages, strict=True):
            layer = layers.enter_context(pikepdf.open(text.layer)).pages[0]
            lx0, ly0, lx1, ly1 = _box(layer.mediabox)
            name = page.add_resource(layer.as_form_xobject(), pikepdf.Name.XObject)
            placement = _placement(text.rotation, page=_box(page.mediabox), layer=(lx1 - lx0, ly1 - ly0))
            page.contents_add(b"q\n", prepend=True)
            page.contents_add(f"Q\nq {placement} cm {name} Do Q\n".encode("ascii"))
            if text.rotation:
                page.Rotate = text.rotation
        try:
            save(pdf, out, "2b")
        except PdfaError as exc:
            findings = "; ".join(str(finding) for finding in exc.report.findings[:3])
            raise OcrFailed(f"Das durchsuchbare PDF/A-2b ließ sich nicht erzeugen ({findings}).") from exc
    return out.getvalue()
