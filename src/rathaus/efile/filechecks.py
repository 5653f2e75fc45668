"""Content checks for filed documents beyond the type: readable, not encrypted, not a bomb.

Run before anything is stored. Each failure raises ``kernel.exceptions.InvalidInput`` with a
German message naming the file. A document the E-Akte keeps for decades must be readable
without a password (revision safety; an archive cannot take encrypted files), and images or
archives whose declared size would exhaust memory when opened are refused up front.
"""

from __future__ import annotations

import io
import warnings
import zipfile

from rathaus.kernel import filetypes
from rathaus.kernel.exceptions import InvalidInput

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
