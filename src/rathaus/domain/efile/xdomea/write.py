"""Build xdomea 3.1.0 messages (Aussonderung 0501/0502/0503/0506) as UTF-8 bytes.

Element order and cardinalities follow "xdomea-Baukasten.xsd" and
"xdomea-Nachrichten-AussonderungDurchfuehren.xsd"; the tests validate every message against
the official schema. Code elements (``code``) are unqualified, as ``xoev-code:Code`` demands.

Document hashes: xdomea 3.1.0 has no element for a checksum of a primary document, so each
document carries them in an ``AnwendungsspezifischeErweiterung`` (``Kennung`` =
``CHECKSUM_EXTENSION``) with one ``Feld`` per primary file: ``Name`` = the file name in the
package, ``Beschreibung`` = "SHA-256", ``Wert`` = the hex digest.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from lxml import etree

from .model import (
    ABGABE,
    EVALUATION,
    IMPORT_RECEIPT,
    MESSAGE_NAMES,
    NAMESPACE,
    OFFER,
    TRANSFER,
    Case,
    Decision,
    Document,
    FileRecord,
    Header,
    ImportResult,
    Party,
    Version,
    XdomeaError,
)

__all__ = [
    "CHECKSUM_EXTENSION",
    "abgabe_message",
    "SYSTEM_NAME",
    "evaluation_message",
    "format_code_for",
    "import_receipt_message",
    "offer_message",
    "transfer_message",
]

CHECKSUM_EXTENSION = "urn:rathaus:xdomea:pruefsummen:1"
SYSTEM_NAME = "Rathaus"
NOTE_ACTION = "Notiz"

# Code list "Dateiformat" 1.0 (urn:xoev-de:xdomea:codeliste:dateiformat), by file extension.
_FORMATS = {
    "bmp": "001",
    "csv": "002",
    "doc": "003",
    "eml": "006",
    "htm": "007",
    "html": "008",
    "jpe": "009",
    "jpeg": "010",
    "jpg": "011",
    "msg": "012",
    "odp": "013",
    "ods": "014",
    "odt": "015",
    "pdf": "018",
    "png": "019",
    "ppt": "020",
    "ps": "021",
    "rtf": "022",
    "tif": "023",
    "tiff": "024",
    "xls": "028",
    "xml": "030",
    "xsd": "031",
    "docx": "035",
    "xlsx": "036",
    "pptx": "037",
    "txt": "045",
}
OTHER_FORMAT = "100"
_DIRECTION_TYPES = {"incoming": "Eingang", "outgoing": "Ausgang", "internal": "Intern"}


def format_code_for(filename: str) -> str:
    """The "Dateiformat" code for a file name's extension; "100" (Sonstiges) if unknown."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    return _FORMATS.get(extension, OTHER_FORMAT)


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _q(name))
    if text is not None:
        element.text = text
    return element


def _code(
    parent: etree._Element, name: str, code: str, *, list_uri: str = "", version: str = ""
) -> etree._Element:
    element = _sub(parent, name)
    if list_uri:
        element.set("listURI", list_uri)
    if version:
        element.set("listVersionID", version)
    etree.SubElement(element, "code").text = code  # unqualified (xoev-code:Code)
    return element


def _timestamp(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise XdomeaError("Zeitpunkte in xdomea-Nachrichten brauchen eine Zeitzone.")
    return moment.isoformat(timespec="seconds")


def _party(parent: etree._Element, name: str, party: Party) -> None:
    contact = _sub(parent, name)
    institution = _sub(contact, "Institution")
    _sub(institution, "Name", party.name)
    if party.short_name:
        _sub(institution, "Kurzbezeichnung", party.short_name)


def _head(root: etree._Element, header: Header, tail: Iterable[tuple[str, bool]]) -> None:
    if header.message_code not in MESSAGE_NAMES:
        raise XdomeaError(f"Unbekannter Nachrichtentyp {header.message_code}.")
    head = _sub(root, "Kopf")
    _sub(head, "ProzessID", header.process_id)
    _code(
        head,
        "Nachrichtentyp",
        header.message_code,
        list_uri="urn:xoev-de:xdomea:codeliste:nachrichtentyp",
        version="2.0",
    )
    _sub(head, "Erstellungszeitpunkt", _timestamp(header.created_at))
    _party(head, "Absender", header.sender)
    _party(head, "Empfaenger", header.recipient)
    system = _sub(head, "SendendesSystem")
    _sub(system, "Produktname", SYSTEM_NAME)
    for name, value in tail:
        _sub(head, name, "1" if value else "0")  # Importbestaetigung is fixed="1"


def _disposal_code(parent: etree._Element, name: str, code: str) -> None:
    wrapper = _sub(parent, name)
    _code(
        wrapper,
        "Aussonderungsart",
        code,
        list_uri="urn:xoev-de:xdomea:codeliste:aussonderungsart",
        version="1.0",
    )


def _general(parent: etree._Element, subject: str, reference: str = "") -> etree._Element:
    general = _sub(parent, "AllgemeineMetadaten")
    _sub(general, "Betreff", subject)
    if reference:
        _sub(general, "Kennzeichen", reference)
    return general


def _period(parent: etree._Element, start: datetime.date | None, end: datetime.date | None) -> None:
    if start is None and end is None:
        return
    period = _sub(parent, "Laufzeit")
    if start is not None:
        _sub(period, "Beginn", start.isoformat())
    if end is not None:
        _sub(period, "Ende", end.isoformat())


def _version(parent: etree._Element, version: Version) -> None:
    element = _sub(parent, "Version")
    _sub(element, "Nummer", str(version.number))
    fmt = _sub(element, "Format")
    code = version.file.format_code or format_code_for(version.file.original_name)
    _code(fmt, "Name", code, list_uri="urn:xoev-de:xdomea:codeliste:dateiformat", version="1.0")
    if code == OTHER_FORMAT:
        _sub(fmt, "SonstigerName", version.file.original_name.rpartition(".")[2] or "unbekannt")
    _sub(fmt, "Version", "unbekannt")
    primary = _sub(fmt, "Primaerdokument")
    _sub(primary, "Dateiname", version.file.name)
    _sub(primary, "DateinameOriginal", version.file.original_name)
    if version.file.created_at is not None:
        _sub(primary, "DatumUhrzeit", _timestamp(version.file.created_at))


def _document(parent: etree._Element, document: Document, *, with_content: bool) -> None:
    element = _sub(parent, "Dokument")
    _sub(_sub(element, "Identifikation"), "ID", document.id)
    _general(element, document.title)
    if document.date is not None and document.direction == "incoming":
        _sub(element, "Posteingangsdatum", document.date.isoformat())
    if document.date is not None and document.direction == "outgoing":
        _sub(element, "Postausgangsdatum", document.date.isoformat())
    _sub(element, "Typ", _DIRECTION_TYPES.get(document.direction, "Intern"))
    if not with_content:
        return
    for version in document.versions:
        _version(element, version)
    if document.versions:
        extension = _sub(element, "AnwendungsspezifischeErweiterung")
        _sub(extension, "Kennung", CHECKSUM_EXTENSION)
        _sub(extension, "Name", "Prüfsummen der Primärdokumente")
        for version in document.versions:
            field = _sub(extension, "Feld")
            _sub(field, "Name", version.file.name)
            _sub(field, "Beschreibung", "SHA-256")
            _sub(field, "Wert", version.file.sha256)


def _case(parent: etree._Element, case: Case, *, with_content: bool) -> None:
    element = _sub(parent, "Vorgang")
    _sub(_sub(element, "Identifikation"), "ID", case.id)
    _general(element, case.subject, case.reference)
    _sub(element, "ZdA", "true" if case.closed_on else "false")
    if case.closed_on is not None:
        _sub(element, "ZdADatum", case.closed_on.isoformat())
    _period(element, case.opened_on, case.closed_on)
    for note in case.notes:
        history = _sub(element, "HistorienProtokollInformation")
        _sub(history, "Akteur", note.author or "unbekannt")
        _sub(history, "DatumUhrzeit", _timestamp(note.at))
        _sub(history, "Bemerkung", note.text)
        _sub(history, "Aktion", NOTE_ACTION)
    for document in case.documents:
        _document(element, document, with_content=with_content)


def _file(parent: etree._Element, record: FileRecord, *, with_content: bool) -> None:
    akte = _sub(_sub(parent, "Schriftgutobjekt"), "Akte")
    _sub(_sub(akte, "Identifikation"), "ID", record.id)
    general = _general(akte, record.title, record.aktenzeichen)
    plan = _sub(general, "Aktenplaneinheit")
    _sub(plan, "Kennzeichen", record.plan_number)
    if record.plan_title:
        _sub(plan, "Inhaltsangabe", record.plan_title)
    if record.retention_years is not None or record.disposal or record.retention_ends:
        archive = _sub(akte, "ArchivspezifischeMetadaten")
        if record.retention_years is not None:
            _sub(_sub(archive, "Aufbewahrungsdauer"), "AnzahlJahre", str(record.retention_years))
        if record.disposal:
            _disposal_code(archive, "Aussonderungsart", record.disposal)
        if record.retention_ends is not None:
            _sub(archive, "Aufbewahrungsende", record.retention_ends.isoformat())
    _period(akte, record.opened_on, record.closed_on)
    if record.cases:
        content = _sub(akte, "Akteninhalt")
        for case in record.cases:
            _case(content, case, with_content=with_content)
    _sub(akte, "ZdA", "true" if record.closed_on else "false")
    if record.closed_on is not None:
        _sub(akte, "ZdADatum", record.closed_on.isoformat())


def _root(code: str) -> etree._Element:
    return etree.Element(_q(MESSAGE_NAMES[code]), nsmap={"xdomea": NAMESPACE})


def _bytes(root: etree._Element) -> bytes:
    data: Any = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return bytes(data)


def _message(header: Header, code: str, tail: Iterable[tuple[str, bool]]) -> etree._Element:
    """The root element of message ``code`` with its head; ``header`` must belong to that message."""
    if header.message_code != code:
        raise XdomeaError(f"Der Kopf gehört zu Nachricht {header.message_code}, nicht zu {code}.")
    root = _root(code)
    _head(root, header, tail)
    return root


def _with_files(
    root: etree._Element, files: Iterable[FileRecord], *, with_content: bool, empty: str
) -> bytes:
    """The message with ``files`` added (the primary documents' versions ``with_content``);
    ``XdomeaError(empty)`` when there are none."""
    records = list(files)
    if not records:
        raise XdomeaError(empty)
    for record in records:
        _file(root, record, with_content=with_content)
    return _bytes(root)


def offer_message(header: Header, files: Iterable[FileRecord]) -> bytes:
    """0501 Anbieteverzeichnis: the files' metadata, no primary documents (as the standard says)."""
    root = _message(header, OFFER, [("Empfangsbestaetigung", False)])
    return _with_files(
        root, files, with_content=False, empty="Ein Anbieteverzeichnis braucht mindestens eine Akte."
    )


def evaluation_message(header: Header, decisions: Iterable[Decision]) -> bytes:
    """0502 Bewertungsverzeichnis: per offered object A (take over) or V (destroy)."""
    root = _message(header, EVALUATION, [("Empfangsbestaetigung", False)])
    items = list(decisions)
    if not items:
        raise XdomeaError("Ein Bewertungsverzeichnis braucht mindestens eine Bewertung.")
    for decision in items:
        evaluated = _sub(root, "BewertetesObjekt")
        _sub(evaluated, "ID", decision.id)
        _disposal_code(evaluated, "Aussonderungsart", decision.disposal)
    return _bytes(root)


def transfer_message(header: Header, files: Iterable[FileRecord]) -> bytes:
    """0503 Aussonderung: the files with every document version (the primary files go beside it)."""
    root = _message(
        header,
        TRANSFER,
        [("Importbestaetigung", True), ("RueckmeldungArchivkennung", True), ("Empfangsbestaetigung", False)],
    )
    return _with_files(
        root, files, with_content=True, empty="Eine Aussonderung braucht mindestens eine Akte."
    )


def abgabe_message(header: Header, files: Iterable[FileRecord]) -> bytes:
    """0401 Abgabe: files handed to another authority, with every document version (like 0503)."""
    root = _message(header, ABGABE, [("Importbestaetigung", True), ("Empfangsbestaetigung", False)])
    return _with_files(root, files, with_content=True, empty="Eine Abgabe braucht mindestens eine Akte.")


def import_receipt_message(header: Header, results: Iterable[ImportResult]) -> bytes:
    """0506 AussonderungImportBestaetigen: per transferred object success and archive reference."""
    root = _message(header, IMPORT_RECEIPT, [])
    items = list(results)
    if not items:
        raise XdomeaError("Eine Importbestätigung braucht mindestens ein Objekt.")
    for result in items:
        element = _sub(root, "AusgesondertesSGO")
        _sub(element, "IDSGO", result.id)
        _sub(element, "Erfolgreich", "true" if result.success else "false")
        for error in result.errors:
            _sub(element, "Fehlermeldung", error)
        if result.archive_reference:
            _sub(element, "Archivkennung", result.archive_reference)
    return _bytes(root)
