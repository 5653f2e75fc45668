"""Content checks for filed documents beyond the type: readable, not encrypted, not a bomb,
no active content (``pdf_active``).

Run before anything is stored. Each failure raises ``kernel.exceptions.InvalidInput`` with a
German message naming the file. A document the E-Akte keeps for decades must be readable
without a password (revision safety; an archive cannot take encrypted files), and images or
archives whose declared size would exhaust memory when opened are refused up front.
"""

from __future__ import annotations

import io
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from rathaus.kernel import filetypes
from rathaus.kernel.exceptions import InvalidInput

from .pdf_active import check_active_content

# A4 scanned at 600 dpi is about 35 megapixels; 60 leaves room for A3 at 400 dpi.
MAX_IMAGE_PIXELS = 60_000_000
# A PDF page larger than A0 (in points, 1/72 inch) is no letter; rendered for OCR at 300 dpi
# it would need gigabytes. A0 is 2384 × 3370 pt; PDF allows up to 14,400 pt a side.
MAX_PDF_PAGE_POINTS = 3400
MAX_PDF_PAGES = 2000
# Multi-page TIFFs from a scanner's feeder: each frame is checked against the pixel limit.
MAX_TIFF_FRAMES = 500
# Office documents are ZIP files: limits on what they unpack to.
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
MAX_ZIP_MEMBERS = 20_000
MAX_COMPRESSION_RATIO = 200

_ZIP_TYPES = {
    filetypes.DOCX,
    filetypes.XLSX,
    filetypes.PPTX,
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/tiff"}


def check(data: bytes, *, filename: str) -> None:
    """Refuse ``data`` if it is a corrupt or encrypted PDF, an oversized image or a zip bomb."""
    kind = filetypes.detect(data[:65536])
    if kind == filetypes.PDF:
        _check_pdf(data, filename)
    elif kind in _IMAGE_TYPES:
        _check_image(data, filename)
    elif kind in _ZIP_TYPES:
        _check_zip(data, filename)


def _check_pdf(data: bytes, filename: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise InvalidInput(
                    f"Die PDF-Datei „{filename}“ ist verschlüsselt oder mit einem Passwort geschützt. "
                    "Bitte laden Sie eine ungeschützte Fassung hoch.",
                    code="pdf_encrypted",
                )
            pages = len(reader.pages)
            if pages > MAX_PDF_PAGES:
                raise InvalidInput(
                    f"Die PDF-Datei „{filename}“ hat {pages} Seiten; erlaubt sind höchstens "
                    f"{MAX_PDF_PAGES}. Bitte teilen Sie sie auf.",
                    code="pdf_too_many_pages",
                )
            for number, page in enumerate(reader.pages, start=1):
                _check_pdf_page(page, number, filename)
            check_active_content(reader, filename)
    except InvalidInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise InvalidInput(
            f"Die PDF-Datei „{filename}“ ist beschädigt und lässt sich nicht lesen.", code="pdf_corrupt"
        ) from exc
    if pages == 0:
        raise InvalidInput(f"Die PDF-Datei „{filename}“ enthält keine Seite.", code="pdf_empty")


def _check_pdf_page(page: object, number: int, filename: str) -> None:
    """Refuse a page larger than A0 or an embedded image over the pixel limit (a "PDF bomb":
    a few KB of compressed data that OCR would have to rasterise or decode to gigabytes).

    Only dictionaries are read (MediaBox, the images' /Width and /Height); nothing is decoded.
    """
    box = page.mediabox  # type: ignore[attr-defined]
    width, height = abs(float(box.width)), abs(float(box.height))
    scale = float(page.get("/UserUnit", 1) or 1)  # type: ignore[attr-defined]
    if max(width, height) * scale > MAX_PDF_PAGE_POINTS:
        raise InvalidInput(
            f"Seite {number} der PDF-Datei „{filename}“ ist größer als DIN A0 und wird nicht angenommen.",
            code="pdf_page_too_large",
        )
    resources = page.get("/Resources")  # type: ignore[attr-defined]
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None else None
    if xobjects is None:
        return
    xobjects = xobjects.get_object()
    for name in list(xobjects.keys())[:1000]:
        xobject = xobjects[name].get_object()
        if xobject.get("/Subtype") != "/Image":
            continue
        pixels = int(xobject.get("/Width", 0)) * int(xobject.get("/Height", 0))
        if pixels > MAX_IMAGE_PIXELS:
            raise InvalidInput(
                f"Die PDF-Datei „{filename}“ enthält auf Seite {number} ein Bild mit "
                f"{pixels // 1_000_000} Millionen Pixeln; erlaubt sind höchstens "
                f"{MAX_IMAGE_PIXELS // 1_000_000} Millionen. Bitte scannen Sie mit höchstens 600 dpi.",
                code="image_too_large",
            )


def _check_image(data: bytes, filename: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            # open() reads only the header; nothing is decoded here.
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                # A TIFF's frames are read one directory at a time, still without decoding pixels.
                frames = getattr(image, "n_frames", 1) if image.format == "TIFF" else 1
                if frames > MAX_TIFF_FRAMES:
                    raise InvalidInput(
                        f"Die TIFF-Datei „{filename}“ hat {frames} Seiten; erlaubt sind höchstens "
                        f"{MAX_TIFF_FRAMES}.",
                        code="image_too_many_pages",
                    )
                for frame in range(1, frames):
                    image.seek(frame)
                    width, height = max((width, height), image.size, key=lambda size: size[0] * size[1])
            if width * height <= MAX_IMAGE_PIXELS:
                # verify() walks the file's structure (PNG chunk checksums, truncation) without
                # decoding pixels; it needs a freshly opened image.
                with Image.open(io.BytesIO(data)) as image:
                    image.verify()
    except InvalidInput:
        raise
    except Image.DecompressionBombError:
        width, height = MAX_IMAGE_PIXELS, 2  # over the limit; reported below without exact size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise InvalidInput(
            f"Die Bilddatei „{filename}“ ist beschädigt und lässt sich nicht lesen.", code="image_corrupt"
        ) from exc
    if width * height > MAX_IMAGE_PIXELS:
        size = f" ({width:,} × {height:,} Pixel)".replace(",", ".") if height > 2 else ""
        raise InvalidInput(
            f"Das Bild „{filename}“ ist zu groß{size}; erlaubt sind höchstens "
            f"{MAX_IMAGE_PIXELS // 1_000_000} Millionen Pixel. Bitte scannen Sie mit höchstens 600 dpi.",
            code="image_too_large",
        )


def _check_zip(data: bytes, filename: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InvalidInput(f"Die Datei „{filename}“ ist beschädigt.", code="zip_corrupt") from exc
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if (
        len(members) > MAX_ZIP_MEMBERS
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked / packed > MAX_COMPRESSION_RATIO
    ):
        raise InvalidInput(
            f"Die Datei „{filename}“ würde entpackt ungewöhnlich groß (mögliche ZIP-Bombe) "
            "und wird nicht angenommen.",
            code="zip_bomb",
        )


# --- What OCR of a PDF would have to process (decision 0055, amendment of issue 11) ----------
#
# OCR renders every page for Tesseract (PDFium interprets its drawing instructions, ``ocr.raster``),
# so its work grows with pages × (decoded instructions + pixels), not with the file size: one
# 400 MB stream of zeros compresses to 400 KB, and 50 pages drawing it make 20 GB to interpret.
# These limits are checked before OCR starts, from dictionaries and a bounded decompression.

# The resolution OCR renders pages without images at, and Tesseract's sweet spot.
OCR_DPI = 300
# Drawing instructions (content streams and form XObjects, decoded), counted once per page they
# are drawn on. A scanned page's instructions are a few hundred bytes ("draw image Im0"); a
# detailed vector plan a few MB. 256 MB in total is far beyond any letter, file or plan.
MAX_OCR_CONTENT_BYTES = 256 * 1024 * 1024
# Pixels of one rendered page: DIN A0 at 300 dpi is 139 megapixels (pages beyond A0 are refused
# at intake), and an embedded image may have up to MAX_IMAGE_PIXELS.
MAX_OCR_PAGE_PIXELS = 150_000_000
# Pixels of the whole document: ~340 A4 pages at 300 dpi (8.7 Mpx each) or ~85 at 600 dpi.
# Tesseract reads a few megapixels a second on one core, so more would run for far longer than
# the OCR timeout (300 s) allows; such files are kept as they are, without OCR.
MAX_OCR_DOCUMENT_PIXELS = 3_000_000_000
# Nesting of form XObjects followed, and XObjects looked at per resource dictionary.
# The start of every refusal's reason (``ocr.is_too_large`` recognises it).
OCR_TOO_LARGE = "Zu groß für die Texterkennung"
_MAX_FORM_DEPTH = 12
_MAX_XOBJECTS = 1000
_DECODE_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class OcrWorkload:
    """What OCR of a PDF would process. ``content_bytes`` stops counting a little past the
    limit (the decompression is bounded), so "over the limit" is all it says beyond it."""

    pages: int
    content_bytes: int
    largest_page_pixels: int
    pixels: int

    def refusal(self) -> str | None:
        """The German reason OCR must not start, or None when the document is within the limits."""
        if self.pages > MAX_PDF_PAGES:
            detail = f"{self.pages} Seiten (höchstens {MAX_PDF_PAGES})"
        elif self.content_bytes > MAX_OCR_CONTENT_BYTES:
            detail = (
                "die Seiten enthalten entpackt mehr als "
                f"{MAX_OCR_CONTENT_BYTES // (1024 * 1024)} MB Zeichenanweisungen"
            )
        elif self.largest_page_pixels > MAX_OCR_PAGE_PIXELS:
            detail = (
                f"eine Seite hätte {self.largest_page_pixels // 1_000_000} Millionen Pixel "
                f"(höchstens {MAX_OCR_PAGE_PIXELS // 1_000_000} Millionen)"
            )
        elif self.pixels > MAX_OCR_DOCUMENT_PIXELS:
            detail = (
                f"die Seiten hätten zusammen {self.pixels // 1_000_000:,} Millionen Pixel "
                f"(höchstens {MAX_OCR_DOCUMENT_PIXELS // 1_000_000:,} Millionen)"
            ).replace(",", ".")
        else:
            return None
        return (
            f"{OCR_TOO_LARGE}: {detail}. Das Original bleibt unverändert "
            "aufbewahrt und lesbar, ist aber nicht über seinen Text auffindbar."
        )


def ocr_workload(data: bytes) -> OcrWorkload:
    """Measure what OCR of the PDF ``data`` would process, without decoding it in memory.

    Per page: the streams it draws (its content streams and, recursively, the form XObjects of
    its resources) and its images. A stream shared by many pages counts once per page, as OCR
    interprets it once per page. Streams are decompressed in 1 MB steps and only up to what
    the remaining budget allows them (budget ÷ pages drawing them), so a bomb costs at most
    MAX_OCR_CONTENT_BYTES of decompression, never its full size. A page's pixels are its area
    at OCR_DPI or its largest image, whichever is more; images are measured by their
    /Width × /Height (a decoder produces exactly that many samples, whatever the stream holds).

    Raises ``InvalidInput`` for a PDF pypdf cannot read (like ``check``).
    """
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            pages = len(reader.pages)
            if pages > MAX_PDF_PAGES:
                return OcrWorkload(pages=pages, content_bytes=0, largest_page_pixels=0, pixels=0)
            streams: dict[object, object] = {}  # identity → stream object
            uses: dict[object, int] = {}  # identity → pages drawing it
            largest = total_pixels = 0
            forms: dict[object, tuple[frozenset[object], int]] = {}
            for page in reader.pages:
                drawn: set[object] = set()
                for stream_id, stream in _page_contents(page):
                    streams[stream_id] = stream
                    drawn.add(stream_id)
                form_ids, image_pixels = _xobjects(page.get("/Resources"), streams, forms, depth=0)
                drawn |= form_ids
                for stream_id in drawn:
                    uses[stream_id] = uses.get(stream_id, 0) + 1
                page_pixels = max(_page_area_pixels(page), image_pixels)
                largest = max(largest, page_pixels)
                total_pixels += page_pixels
            content = 0
            for stream_id, count in sorted(uses.items(), key=lambda item: -item[1]):
                allowance = (MAX_OCR_CONTENT_BYTES - content) // count + 1
                content += _decoded_size(streams[stream_id], limit=allowance) * count
                if content > MAX_OCR_CONTENT_BYTES:
                    break
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise InvalidInput(
            "Die PDF-Datei ist beschädigt und lässt sich nicht lesen.", code="pdf_corrupt"
        ) from exc
    return OcrWorkload(pages=pages, content_bytes=content, largest_page_pixels=largest, pixels=total_pixels)


def _identity(raw: object, resolved: object) -> object:
    """Indirect objects are shared by reference: (object number, generation); a direct stream
    belongs to one place only."""
    from pypdf.generic import IndirectObject

    if isinstance(raw, IndirectObject):
        return (raw.idnum, raw.generation)
    return ("direct", id(resolved))


def _page_contents(page: Any) -> list[tuple[object, object]]:
    from pypdf.generic import ArrayObject, StreamObject

    raw = page.raw_get("/Contents") if "/Contents" in page else None
    if raw is None:
        return []
    resolved = raw.get_object()
    found: list[tuple[object, object]] = []
    if isinstance(resolved, ArrayObject):
        for item in list(resolved)[:_MAX_XOBJECTS]:
            stream = item.get_object()
            if isinstance(stream, StreamObject):
                found.append((_identity(item, stream), stream))
    elif isinstance(resolved, StreamObject):
        found.append((_identity(raw, resolved), resolved))
    return found


def _xobjects(
    resources: Any,
    streams: dict[object, object],
    forms: dict[object, tuple[frozenset[object], int]],
    *,
    depth: int,
) -> tuple[frozenset[object], int]:
    """The form XObjects drawn from ``resources`` (recursively) and the largest image's pixels.
    A form's result is remembered, so shared forms are walked once per document."""
    from pypdf.generic import StreamObject

    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if resources is not None and hasattr(resources, "get") else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    if not xobjects or depth > _MAX_FORM_DEPTH:
        return frozenset(), 0
    found: set[object] = set()
    largest = 0
    for name in list(xobjects.keys())[:_MAX_XOBJECTS]:
        raw = xobjects.raw_get(name)
        xobject = raw.get_object()
        if not isinstance(xobject, StreamObject):
            continue
        subtype = _resolved(xobject, "/Subtype")
        if subtype == "/Image":
            pixels = int(_resolved(xobject, "/Width", 0)) * int(_resolved(xobject, "/Height", 0))
            largest = max(largest, pixels)
        elif subtype == "/Form":
            stream_id = _identity(raw, xobject)
            if stream_id not in forms:
                forms[stream_id] = (frozenset(), 0)  # a form drawing itself ends here
                inner, pixels = _xobjects(xobject.get("/Resources"), streams, forms, depth=depth + 1)
                forms[stream_id] = (inner | {stream_id}, pixels)
            streams[stream_id] = xobject
            inner, pixels = forms[stream_id]
            found |= inner
            largest = max(largest, pixels)
    return frozenset(found), largest


def _resolved(dictionary: Any, key: str, default: object = None) -> Any:
    value = dictionary.get(key, default)
    return value.get_object() if hasattr(value, "get_object") else value


def _page_area_pixels(page: Any) -> int:
    box = page.mediabox
    scale = float(_resolved(page, "/UserUnit", 1) or 1) * OCR_DPI / 72
    return int(abs(float(box.width)) * scale) * int(abs(float(box.height)) * scale)


def _decoded_size(stream: Any, *, limit: int) -> int:
    """The stream's decoded length, or ``limit`` when it decodes to at least that much.

    Flate is inflated in 1 MB steps and only up to ``limit`` (the output is not kept unless
    another filter follows); the ASCII filters only shrink; LZW and RunLength are decoded by
    pypdf, which stops at its own output limit (75 MB), counted as reaching ``limit``. Other
    filters do not belong on drawing instructions and count with their encoded length.
    """
    from pypdf import filters
    from pypdf.errors import LimitReachedError

    data: bytes = stream._data  # the encoded bytes as stored in the file
    names = _resolved(stream, "/Filter")
    names = [] if names is None else [names] if isinstance(names, str) else list(names)
    size = len(data)
    for index, name in enumerate(names):
        name = str(name.get_object() if hasattr(name, "get_object") else name)
        if name in ("/FlateDecode", "/Fl"):
            size, data = _inflate(data, limit=limit, keep=index < len(names) - 1)
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = filters.ASCIIHexDecode.decode(data)
            size = len(data)
        elif name in ("/ASCII85Decode", "/A85"):
            data = filters.ASCII85Decode.decode(data)
            size = len(data)
        elif name in ("/LZWDecode", "/LZW", "/RunLengthDecode", "/RL"):
            decoder = filters.LZWDecode if "LZW" in name else filters.RunLengthDecode
            try:
                data = decoder.decode(data)
            except LimitReachedError:
                return limit
            size = len(data)
        else:
            break
        if size >= limit:
            return limit
    return min(size, limit)


def _inflate(data: bytes, *, limit: int, keep: bool) -> tuple[int, bytes]:
    """Inflate ``data`` up to ``limit`` bytes: (bytes produced, the output if ``keep``).
    A damaged stream counts what inflated before the damage."""
    inflater = zlib.decompressobj()
    produced = 0
    kept: list[bytes] = []
    pending = data
    try:
        while pending and produced < limit and not inflater.eof:
            chunk = inflater.decompress(pending, min(_DECODE_CHUNK, limit - produced))
            if not chunk and len(inflater.unconsumed_tail) == len(pending):
                break  # no progress
            produced += len(chunk)
            if keep:
                kept.append(chunk)
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass
    return produced, b"".join(kept)


MAX_TEXT_PAGES = 200
MAX_TEXT_CHARS = 200_000
_TEXT_TYPES = {filetypes.TEXT, filetypes.CSV, filetypes.XML}


def extract_text(data: bytes) -> str:
    """The text layer of a PDF or the text of a plain-text file, for search; "" for images
    (they need OCR) and other types. Bounded in pages and characters."""
    kind = filetypes.detect(data[:65536])
    if kind in _TEXT_TYPES:
        return data[: MAX_TEXT_CHARS * 4].decode("utf-8", "replace")[:MAX_TEXT_CHARS]
    if kind != filetypes.PDF:
        return ""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    parts: list[str] = []
    size = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            for page in reader.pages[:MAX_TEXT_PAGES]:
                text = page.extract_text() or ""
                parts.append(text)
                size += len(text)
                if size >= MAX_TEXT_CHARS:
                    break
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        # The file passed check(); a page whose text cannot be extracted only loses its text.
        pass
    return "\n".join(parts)[:MAX_TEXT_CHARS]
