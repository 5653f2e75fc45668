"""The one hardened XML parser of the project. Use it for every XML that comes from outside.

Documents with a DOCTYPE are refused outright, before libxml2 sees them: German
e-government standards (XÖV, XRechnung/UBL, CII, xdomea) never need a DTD, and refusing
it removes entity expansion attacks (billion laughs, quadratic blowup) and external
entity/DTD fetches (XXE, SSRF) as a class. The parser additionally runs with entity
resolution, DTD loading and network access switched off and with libxml2's size limits
on (``huge_tree=False``), as second line of defence.

Public API: ``parse``, ``validate``, ``XmlRejected``, ``SchemaError``, ``DEFAULT_MAX_BYTES``.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .exceptions import InvalidInput

__all__ = ["DEFAULT_MAX_BYTES", "SchemaError", "XmlRejected", "parse", "validate"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class XmlRejected(InvalidInput):
    """The XML was refused; ``line``/``column`` point at the problem when known."""

    default_code = "xml_rejected"
    default_message = "Die XML-Datei wurde abgelehnt."

    def __init__(
        self, message: str, *, code: str = "xml_rejected", line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class SchemaError:
    """One XML Schema violation, with its position in the validated document."""

    line: int
    column: int
    message: str
    path: str = ""


def _parser(*, remove_pis: bool) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_pis=remove_pis,
        remove_comments=False,
        collect_ids=False,
    )


def _prolog_text(data: bytes) -> str:
    """The document as text, good enough to read the markup of its prolog."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "ignore")
    if data[:4] == b"<\x00?\x00":
        return data.decode("utf-16-le", "ignore")
    if data[:4] == b"\x00<\x00?":
        return data.decode("utf-16-be", "ignore")
    # Every other encoding XML allows is ASCII-compatible for the markup of the prolog.
    return data.removeprefix(codecs.BOM_UTF8).decode("latin-1")


_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _has_doctype(data: bytes) -> bool:
    """Whether anything of the form ``<!…`` other than a comment precedes the root element.

    Before the root only the XML declaration, processing instructions, comments,
    white space and the DOCTYPE may appear, so this finds every DOCTYPE (and refuses an
    unterminated comment, which is malformed anyway).
    """
    text = _prolog_text(data)
    position = 0
    while match := _PROLOG_ITEM.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return text.startswith("<!", position)


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, remove_pis: bool = False) -> etree._Element:
    """Parse untrusted XML into its root element, or raise ``XmlRejected``.

    Refused: input over ``max_bytes`` (code ``xml_too_large``), any DOCTYPE (internal or
    external subset; code ``xml_dtd_forbidden``), malformed XML (code ``xml_malformed``,
    with line and column).
    """
    if not isinstance(data, bytes | bytearray):
        raise TypeError("xmlsafe.parse expects bytes (the raw file), not decoded text")
    if len(data) > max_bytes:
        size, limit = f"{len(data):,}".replace(",", "."), f"{max_bytes:,}".replace(",", ".")
        raise XmlRejected(
            f"Die XML-Datei ist {size} Bytes groß; erlaubt sind höchstens {limit} Bytes.",
            code="xml_too_large",
        )
    if not data.strip():
        raise XmlRejected("Die XML-Datei ist leer.", code="xml_malformed", line=1, column=1)
    if _has_doctype(bytes(data)):
        raise XmlRejected(
            "Die XML-Datei enthält eine Dokumenttyp-Deklaration (DOCTYPE/DTD); "
            "aus Sicherheitsgründen werden nur Dateien ohne DTD angenommen.",
            code="xml_dtd_forbidden",
        )
    try:
        root = etree.fromstring(bytes(data), parser=_parser(remove_pis=remove_pis))
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position else (error.lineno, 0)
        raise XmlRejected(
            f"Die XML-Datei ist nicht wohlgeformt (Zeile {line}, Spalte {column}): {error.msg}",
            code="xml_malformed",
            line=line,
            column=column,
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # Not reachable when the prolog scan works; kept as a second check.
        raise XmlRejected("Die XML-Datei enthält eine DTD.", code="xml_dtd_forbidden")
    return root


class _LocalFilesOnly(etree.Resolver):
    """Lets schema includes/imports read local files only (no http, ftp or other schemes)."""

    def resolve(self, system_url, public_id, context):
        if (
            system_url
            and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", system_url)
            and not system_url.startswith("file://")
        ):
            raise XmlRejected(f"Schema lädt eine entfernte Datei: {system_url}", code="xsd_remote_include")
        return None  # default handling: a local path, relative to the including schema


@functools.lru_cache(maxsize=32)
def _schema(path: str, mtime_ns: int) -> etree.XMLSchema:
    # Schemas are our own trusted files (from ../shared or the package); some (W3C
    # xmldsig) carry a DOCTYPE with internal entities, so only that is allowed here.
    parser = etree.XMLParser(resolve_entities="internal", no_network=True, load_dtd=False, huge_tree=False)
    parser.resolvers.add(_LocalFilesOnly())
    document = etree.parse(path, parser=parser)
    return etree.XMLSchema(document)


def validate(element: etree._Element, xsd_path: str | Path) -> list[SchemaError]:
    """Validate ``element`` against the XML Schema at ``xsd_path``; [] when valid.

    The compiled schema is cached per path (and reloaded when the file changes).
    """
    path = Path(xsd_path).resolve()
    schema = _schema(str(path), path.stat().st_mtime_ns)
    if schema.validate(element):
        return []
    return [
        SchemaError(line=error.line, column=error.column, message=error.message, path=error.path or "")
        for error in schema.error_log
    ]
