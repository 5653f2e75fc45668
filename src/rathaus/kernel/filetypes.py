"""File type detection by content, and whether a declared type fits the content.

Used by ``kernel.blobs``. Signatures for the formats that matter in administration are
checked first (they are exact); ``puremagic`` covers the rest; text formats (XML, CSV,
HTML, JSON, plain text) are recognised by looking at the decoded start of the file.
"""

from __future__ import annotations

import codecs
import mimetypes
import re

import puremagic

PDF = "application/pdf"
ZIP = "application/zip"
XML = "application/xml"
HTML = "text/html"
TEXT = "text/plain"
CSV = "text/csv"
JSON = "application/json"
EXE = "application/vnd.microsoft.portable-executable"
ELF = "application/x-executable"
OCTET = "application/octet-stream"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Exact signatures first: (offset, bytes, type).
_SIGNATURES: list[tuple[int, bytes, str]] = [
    (0, b"%PDF-", PDF),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"MZ", EXE),
    (0, b"\x7fELF", ELF),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"PK\x03\x04", ZIP),
    (0, b"PK\x05\x06", ZIP),
    (0, b"\x1f\x8b", "application/gzip"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
]

_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "text/xml": XML,
    "application/x-pdf": PDF,
    "application/x-zip-compressed": ZIP,
    "application/x-msdownload": EXE,
    "application/x-msdos-program": EXE,
    "application/x-dosexec": EXE,
    "application/vnd.microsoft.portable-executable": EXE,
    "text/comma-separated-values": CSV,
    "application/csv": CSV,
}

LABELS = {
    PDF: "PDF-Dokument",
    "image/png": "PNG-Bild",
    "image/jpeg": "JPEG-Bild",
    "image/gif": "GIF-Bild",
    "image/tiff": "TIFF-Bild",
    "image/svg+xml": "SVG-Grafik",
    EXE: "Windows-Programm",
    ELF: "Linux-Programm",
    ZIP: "ZIP-Archiv",
    XML: "XML-Datei",
    HTML: "HTML-Seite",
    TEXT: "Textdatei",
    CSV: "CSV-Tabelle",
    JSON: "JSON-Datei",
    DOCX: "Word-Dokument",
    XLSX: "Excel-Tabelle",
    PPTX: "PowerPoint-Präsentation",
    "application/vnd.oasis.opendocument.text": "OpenDocument-Text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument-Tabelle",
}

# Detected generic type → declared types that are a more specific reading of it.
_COMPATIBLE: dict[str, set[str]] = {
    TEXT: {CSV, "text/markdown", "text/tab-separated-values", JSON, "application/vnd.ms-excel"},
    CSV: {TEXT, "text/tab-separated-values", "application/vnd.ms-excel"},
    XML: {"image/svg+xml", TEXT},
    JSON: {TEXT},
    ZIP: {
        DOCX,
        XLSX,
        PPTX,
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/epub+zip",
    },
    "application/x-ole-storage": {
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-outlook",
    },
}


def normalise(content_type: str) -> str:
    """Lower-case type without parameters, with common aliases resolved."""
    base = content_type.split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def label(content_type: str) -> str:
    """A German name for a type, e.g. "PDF-Dokument"; the type itself if unknown."""
    return LABELS.get(content_type, content_type)


def type_from_filename(filename: str) -> str | None:
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return normalise(guessed) if guessed else None


def _zip_kind(head: bytes) -> str:
    if head[30:38] == b"mimetype":
        declared = head[38:120].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if declared.startswith("application/"):
            return declared
    if b"[Content_Types].xml" in head or b"_rels/" in head:
        if b"word/" in head:
            return DOCX
        if b"xl/" in head:
            return XLSX
        if b"ppt/" in head:
            return PPTX
    return ZIP


def _decode_text(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "ignore")
    if b"\x00" in head:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(head, final=False)
    except UnicodeDecodeError:
        pass
    text = head.decode("latin-1")
    printable = sum(1 for char in text if char.isprintable() or char in "\r\n\t")
    return text if printable >= 0.95 * len(text) else None


_CSV_DELIMITERS = (";", ",", "\t")


def _looks_like_csv(text: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    complete = lines[:-1] if len(lines) > 2 else lines  # the last line of a head may be cut off
    for delimiter in _CSV_DELIMITERS:
        counts = {line.count(delimiter) for line in complete}
        if len(counts) == 1 and counts.pop() >= 1:
            return True
    return False


def _text_kind(text: str) -> str:
    start = text.lstrip("\ufeff \t\r\n")
    lowered = start[:1024].lower()
    if re.match(r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<script[\s>]", lowered) or (
        lowered.startswith("<?xml") and "<html" in lowered
    ):
        return HTML
    if lowered.startswith("<svg") or (lowered.startswith("<?xml") and "<svg" in lowered):
        return "image/svg+xml"
    if lowered.startswith("<?xml") or re.match(r"<[a-z_][\w.:-]*[\s>/]", lowered):
        return XML
    if lowered[:1] in ("{", "["):
        return JSON
    if _looks_like_csv(start):
        return CSV
    return TEXT


def detect(head: bytes) -> str:
    """The type of a file from its first bytes (64 KiB are plenty)."""
    for offset, signature, content_type in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return _zip_kind(head) if content_type == ZIP else content_type
    text = _decode_text(head)
    if text is not None:
        return _text_kind(text)
    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in sorted(matches, key=lambda m: -m.confidence):
        if match.mime_type:
            return normalise(match.mime_type)
    return OCTET


def fits(detected: str, claimed: str) -> bool:
    """Whether content of type ``detected`` may honestly be called ``claimed``."""
    claimed = normalise(claimed)
    if claimed in (detected, OCTET):
        return True
    if claimed.endswith("+xml") and detected == XML:
        return True
    return claimed in _COMPATIBLE.get(detected, set())
