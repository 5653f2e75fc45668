"""Hybrid invoices: the EN 16931 XML embedded in a ZUGFeRD 2.x / Factur-X 1.0 PDF (PDF/A-3).

Factur-X 1.0 / ZUGFeRD 2.x (FNFE-MPE and FeRD, § 6 "Technical specifications") embed the structured
invoice as a PDF/A-3 associated file (ISO 32000-2 § 14.13, ``/AF`` with ``/AFRelationship``),
named ``factur-x.xml`` (Factur-X, ZUGFeRD 2.1+), ``zugferd-invoice.xml`` (ZUGFeRD 2.0),
``ZUGFeRD-invoice.xml`` (ZUGFeRD 1.0) or ``xrechnung.xml`` (ZUGFeRD 2.1+ XRECHNUNG profile). The XML
is the invoice in law (§ 14 Abs. 1 UStG: the structured part); the PDF is a human-readable copy.

The PDF is untrusted input, so every step has a limit: the file size, the number of embedded files,
the decompressed size of each stream (a flate "zip bomb" of a few KB can expand to gigabytes) and the
parser's own object limits. Encrypted PDFs are refused: the platform cannot read the embedded file
without a password, and an invoice must be readable by the recipient (§ 14 Abs. 1 Satz 2 UStG).

Pseudo rule IDs: ``PDF-MALFORMED``, ``PDF-ENCRYPTED``, ``PDF-LIMIT``, ``PDF-NO-XML``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .validation import (
    DEFAULT_MAX_BYTES,
    Finding,
    InvoiceRejected,
    ValidationReport,
    rule_set,
    validate_invoice,
)

if TYPE_CHECKING:
    import pypdf

__all__ = [
    "MAX_ATTACHMENTS",
    "XML_NAMES",
    "DocumentVerdict",
    "HybridInvoice",
    "extract_hybrid_xml",
    "is_pdf",
    "validate_document",
]

#: File names of the structured invoice, in order of preference (Factur-X 1.0 § 6.2.2, ZUGFeRD 2.x).
XML_NAMES = ("factur-x.xml", "xrechnung.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml")

#: More embedded files than this is refused without reading any of them.
MAX_ATTACHMENTS = 20


@dataclass(frozen=True)
class HybridInvoice:
    """The structured invoice found in a hybrid PDF."""

    xml: bytes
    filename: str
    attachment_names: tuple[str, ...]


def is_pdf(content: bytes) -> bool:
    """True for bytes that claim to be a PDF (header ``%PDF-`` in the first 1024 bytes, ISO 32000 § 7.5.2)."""
    return b"%PDF-" in content[:1024]


def _choose(names: list[str]) -> str | None:
    by_lower = {name.lower(): name for name in names}
    for wanted in XML_NAMES:
        if wanted.lower() in by_lower:
            return by_lower[wanted.lower()]
    xml = [name for name in names if name.lower().endswith(".xml")]
    # Exactly one XML attachment under another name: a generator that did not follow the naming rule.
    return xml[0] if len(xml) == 1 else None


def _embedded(reader: pypdf.PdfReader, max_bytes: int) -> tuple[bytes, str, list[str]]:
    """The chosen embedded XML, its name and the names of all embedded files (within the limits)."""
    if reader.is_encrypted:
        raise InvoiceRejected(
            "PDF-ENCRYPTED",
            "Die PDF-Datei ist verschlüsselt oder mit einem Passwort geschützt. Bitte senden Sie die "
            "Rechnung ohne Verschlüsselung.",
        )
    entries = []
    for entry in reader.attachment_list:
        entries.append(entry)
        if len(entries) > MAX_ATTACHMENTS:
            raise InvoiceRejected(
                "PDF-LIMIT",
                f"Die PDF-Datei enthält mehr als {MAX_ATTACHMENTS} eingebettete Dateien; so viele "
                "werden nicht geöffnet. Eine ZUGFeRD-/Factur-X-Rechnung enthält eine XML-Datei "
                "(factur-x.xml) und höchstens wenige Belege.",
            )
    names = [entry.name for entry in entries]
    chosen = _choose(names)
    if chosen is None:
        found = ", ".join(f"„{name}“" for name in names) or "keine"
        raise InvoiceRejected(
            "PDF-NO-XML",
            "Die PDF-Datei enthält keine eingebettete E-Rechnung (erwartet: factur-x.xml oder "
            f"xrechnung.xml nach ZUGFeRD 2 / Factur-X; eingebettete Dateien: {found}). Eine "
            "gewöhnliche PDF-Rechnung ist keine E-Rechnung.",
        )
    entry = next(e for e in entries if e.name == chosen)
    declared = entry.size
    if declared is not None and int(declared) > max_bytes:
        raise InvoiceRejected("PDF-LIMIT", f"Die eingebettete Datei „{chosen}“ ist größer als das Limit.")
    return entry.content, chosen, names


def extract_hybrid_xml(content: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> HybridInvoice:
    """The embedded XML invoice of a ZUGFeRD/Factur-X PDF, or ``InvoiceRejected`` with a plain reason."""
    import pypdf
    from pypdf.errors import LimitReachedError, PyPdfError

    if len(content) > max_bytes:
        raise InvoiceRejected(
            "SIZE-LIMIT",
            f"Die Datei ist {len(content):,} Bytes groß; erlaubt sind höchstens {max_bytes:,} Bytes.".replace(
                ",", "."
            ),
        )
    # No stream may decompress to more than the upload limit: the XML itself may not be larger.
    limits = pypdf.get_configuration().with_overwrites(
        zlib_maximum_output_length=max_bytes,
        lzw_maximum_output_length=max_bytes,
        run_length_maximum_output_length=max_bytes,
        brotli_maximum_output_length=max_bytes,
        array_based_stream_maximum_output_length=max_bytes,
        maximum_declared_stream_length=max_bytes,
        stream_decoding_work_maximum_length=2 * max_bytes,
        array_maximum_element_count=10_000,
        dictionary_maximum_element_count=10_000,
    )
    try:
        with pypdf.apply_configuration(limits):
            reader = pypdf.PdfReader(io.BytesIO(content), strict=False, root_object_recovery_limit=1000)
            xml, chosen, names = _embedded(reader, max_bytes)
    except InvoiceRejected:
        raise
    except LimitReachedError as exc:
        raise InvoiceRejected(
            "PDF-LIMIT",
            "Die PDF-Datei überschreitet beim Entpacken die Grenzen dieser Plattform (zu große oder zu "
            f"viele komprimierte Daten): {exc}",
        ) from exc
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        # pypdf raises assorted built-in errors on damaged files; none of them may escape as a crash.
        raise InvoiceRejected(
            "PDF-MALFORMED",
            f"Die PDF-Datei ist beschädigt und kann nicht gelesen werden (technischer Hinweis: {exc}).",
        ) from exc
    if len(xml) > max_bytes:
        raise InvoiceRejected("PDF-LIMIT", f"Die eingebettete Datei „{chosen}“ ist größer als das Limit.")
    return HybridInvoice(xml=xml, filename=chosen, attachment_names=tuple(names))


@dataclass(frozen=True)
class DocumentVerdict:
    """The verdict on a submitted document (XML, or a hybrid PDF and the XML found in it)."""

    report: ValidationReport
    container: Literal["xml", "pdf"]
    xml: bytes | None  # the XML that was validated; None if a PDF held none
    embedded_filename: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The report as stored, plus where the XML came from."""
        return {
            **self.report.as_dict(),
            "container": self.container,
            "embedded_filename": self.embedded_filename,
        }


def validate_document(
    content: bytes, *, standards_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> DocumentVerdict:
    """Validate an XML invoice or the XML embedded in a ZUGFeRD/Factur-X PDF; never raises for bad input."""
    if not is_pdf(content):
        return DocumentVerdict(
            validate_invoice(content, standards_dir=standards_dir, max_bytes=max_bytes), "xml", content
        )
    try:
        hybrid = extract_hybrid_xml(content, max_bytes=max_bytes)
    except InvoiceRejected as refusal:
        version = rule_set(Path(standards_dir)).version
        finding = Finding(refusal.rule_id, "error", refusal.message)
        return DocumentVerdict(ValidationReport(False, None, None, version, (finding,)), "pdf", None)
    report = validate_invoice(hybrid.xml, standards_dir=standards_dir, max_bytes=max_bytes)
    return DocumentVerdict(report, "pdf", hybrid.xml, hybrid.filename)
