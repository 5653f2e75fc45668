"""The document viewer of the case page: pages of a stored version as PNG images.

PDFs are rendered with pypdfium2 (Chrome's PDF engine), scans (PNG, JPEG, TIFF frames) are
re-encoded with Pillow. Rendering on the server works on every device, also where a phone's
browser shows no PDF inside a page, and needs no plugin, script or CSP exception: the page
shows plain ``<img>`` elements from the same origin. Other types (office documents, XML,
text) have no page images; the viewer shows their extracted text instead.

Only versions that passed ``filechecks`` on intake are stored, which bounds pages and pixels.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from rathaus.kernel import blobs, filetypes

from .models import DocumentVersion

# Width of a rendered page in pixels: sharp on a 1,100 px column, small enough to load fast.
PAGE_WIDTH = 1100
# The viewer shows at most this many pages; the download has them all.
MAX_PAGES = 30
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})


class NoSuchPage(LookupError):
    pass


@dataclass(frozen=True)
class Preview:
    """How a version can be shown: ``pages`` page images (0: none), and its text if it has one."""

    pages: int
    total_pages: int
    text: str

    @property
    def truncated(self) -> bool:
        return self.total_pages > self.pages


def previewable(version: DocumentVersion) -> bool:
    content_type = filetypes.normalise(version.blob.content_type)
    return content_type == filetypes.PDF or content_type in IMAGE_TYPES


def _page_total(data: bytes, content_type: str) -> int:
    if content_type == filetypes.PDF:
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            return len(document)
        finally:
            document.close()
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return int(getattr(image, "n_frames", 1))


def preview(version: DocumentVersion) -> Preview:
    """Page count (capped at ``MAX_PAGES``) and text of ``version``; a file the renderer cannot
    open has no pages (the download still works)."""
    total = 0
    if previewable(version):
        try:
            total = _page_total(
                blobs.read_bytes(version.blob), filetypes.normalise(version.blob.content_type)
            )
        except Exception:  # a broken file must not break the case page
            total = 0
    return Preview(pages=min(total, MAX_PAGES), total_pages=total, text=version.text)


def _png(image) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image

    if image.mode not in ("RGB", "L", "1"):
        image = image.convert("RGB")
    if image.width > PAGE_WIDTH:
        height = max(1, round(image.height * PAGE_WIDTH / image.width))
        image = image.resize((PAGE_WIDTH, height), resample=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def render_page(version: DocumentVersion, number: int) -> bytes:
    """Page ``number`` (1-based) of ``version`` as PNG, ``PAGE_WIDTH`` pixels wide at most."""
    if not previewable(version) or not 1 <= number <= MAX_PAGES:
        raise NoSuchPage(number)
    data = blobs.read_bytes(version.blob)
    if filetypes.normalise(version.blob.content_type) == filetypes.PDF:
        import pypdfium2

        document = pypdfium2.PdfDocument(data)
        try:
            if number > len(document):
                raise NoSuchPage(number)
            page = document[number - 1]
            try:
                width_pt = page.get_width() or 595
                scale = min(PAGE_WIDTH / width_pt, 3.0)
                return _png(page.render(scale=scale).to_pil())
            finally:
                page.close()
        finally:
            document.close()
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if number > int(getattr(image, "n_frames", 1)):
            raise NoSuchPage(number)
        image.seek(number - 1)
        return _png(image.copy())
