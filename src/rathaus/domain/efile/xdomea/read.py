"""Read xdomea 3.1.0 messages from an already parsed (and schema-validated) root element.

The caller parses untrusted bytes with a hardened parser and validates them against the
official schema first; this module then maps the elements it needs to ``model`` records and
refuses what the E-Akte cannot take over (e.g. a loose document without a file).
"""

from __future__ import annotations

import datetime

from lxml import etree

from .model import (
    ABGABE,
    ARCHIVE,
    DESTROY,
    EVALUATION,
    IMPORT_RECEIPT,
    MESSAGE_NAMES,
    NAMESPACE,
    TRANSFER,
    Case,
    Decision,
    Document,
    FileRecord,
    Header,
    ImportResult,
    Note,
    Party,
    PrimaryFile,
    Version,
    XdomeaError,
)
from .write import CHECKSUM_EXTENSION, NOTE_ACTION

__all__ = ["message_code", "read_evaluation", "read_files", "read_header", "read_import_receipt"]

_NS = {"x": NAMESPACE}
_CODES_BY_NAME = {name: code for code, name in MESSAGE_NAMES.items()}
_TYPES_TO_DIRECTION = {"Eingang": "incoming", "Ausgang": "outgoing", "Intern": "internal"}


def _text(element: etree._Element, path: str) -> str:
    found = element.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


def _date(element: etree._Element, path: str) -> datetime.date | None:
    text = _text(element, path)
    if not text:
        return None
    try:
        # xs:date may carry a zone ("2026-01-01Z"); only the day counts here.
        return datetime.date.fromisoformat(text[:10])
    except ValueError as exc:
        raise XdomeaError(f"Ungültiges Datum „{text}“ in der xdomea-Nachricht.") from exc


def _datetime(element: etree._Element, path: str) -> datetime.datetime | None:
    text = _text(element, path)
    if not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise XdomeaError(f"Ungültiger Zeitpunkt „{text}“ in der xdomea-Nachricht.") from exc


def message_code(root: etree._Element) -> str:
    """The message type code ("0503" …) from the root element's name; ``XdomeaError`` if unknown."""
    qname = etree.QName(root)
    if qname.namespace != NAMESPACE:
        raise XdomeaError(
            f"Die Nachricht hat den Namensraum „{qname.namespace}“; erwartet wird xdomea 3.1.0 ({NAMESPACE})."
        )
    code = _CODES_BY_NAME.get(qname.localname)
    if code is None:
        raise XdomeaError(f"Die Nachricht {qname.localname} wird hier nicht verarbeitet.")
    return code


def _party(element: etree._Element, path: str) -> Party:
    return Party(
        name=_text(element, f"{path}/x:Institution/x:Name"),
        short_name=_text(element, f"{path}/x:Institution/x:Kurzbezeichnung"),
    )


def read_header(root: etree._Element) -> Header:
    head = root.find("x:Kopf", _NS)
    if head is None:
        raise XdomeaError("Der Nachricht fehlt der Kopf.")
    created = _datetime(head, "x:Erstellungszeitpunkt")
    if created is None:
        raise XdomeaError("Dem Nachrichtenkopf fehlt der Erstellungszeitpunkt.")
    return Header(
        process_id=_text(head, "x:ProzessID").lower(),
        message_code=_text(head, "x:Nachrichtentyp/code"),
        created_at=created,
        sender=_party(head, "x:Absender"),
        recipient=_party(head, "x:Empfaenger"),
    )


def _expect(root: etree._Element, *codes: str) -> None:
    code = message_code(root)
    if code not in codes:
        wanted = " oder ".join(MESSAGE_NAMES[c] for c in codes)
        raise XdomeaError(f"Erwartet wurde {wanted}, die Datei enthält aber {MESSAGE_NAMES[code]}.")


def _checksums(document: etree._Element) -> dict[str, str]:
    sums: dict[str, str] = {}
    for extension in document.findall("x:AnwendungsspezifischeErweiterung", _NS):
        if _text(extension, "x:Kennung") != CHECKSUM_EXTENSION:
            continue
        for field in extension.findall("x:Feld", _NS):
            if _text(field, "x:Beschreibung").upper() == "SHA-256":
                sums[_text(field, "x:Name")] = _text(field, "x:Wert").lower()
    return sums


def _document(element: etree._Element) -> Document:
    sums = _checksums(element)
    versions = []
    for version in element.findall("x:Version", _NS):
        number_text = _text(version, "x:Nummer")
        try:
            number = int(number_text)
        except ValueError as exc:
            raise XdomeaError(f"Versionsnummer „{number_text}“ ist keine ganze Zahl.") from exc
        # Several formats of one version (e.g. original and PDF/A): the first is the original.
        fmt = version.find("x:Format", _NS)
        if fmt is None:  # pragma: no cover - the schema requires one
            raise XdomeaError("Einer Dokumentversion fehlt das Format.")
        name = _text(fmt, "x:Primaerdokument/x:Dateiname")
        versions.append(
            Version(
                number=number,
                file=PrimaryFile(
                    name=name,
                    original_name=_text(fmt, "x:Primaerdokument/x:DateinameOriginal") or name,
                    sha256=sums.get(name, ""),
                    created_at=_datetime(fmt, "x:Primaerdokument/x:DatumUhrzeit"),
                    format_code=_text(fmt, "x:Name/code"),
                ),
            )
        )
    incoming = _date(element, "x:Posteingangsdatum")
    outgoing = _date(element, "x:Postausgangsdatum")
    direction = _TYPES_TO_DIRECTION.get(_text(element, "x:Typ"))
    if direction is None:
        direction = "incoming" if incoming else "outgoing" if outgoing else "internal"
    return Document(
        id=_text(element, "x:Identifikation/x:ID").lower(),
        title=_text(element, "x:AllgemeineMetadaten/x:Betreff"),
        direction=direction,
        date=incoming or outgoing,
        versions=tuple(sorted(versions, key=lambda v: v.number)),
    )


def _case(element: etree._Element) -> Case:
    if element.find("x:Teilvorgang", _NS) is not None:
        raise XdomeaError("Teilvorgänge werden nicht übernommen (die E-Akte kennt keine Teilvorgänge).")
    closed = _date(element, "x:ZdADatum")
    if closed is None and _text(element, "x:ZdA") == "true":
        closed = _date(element, "x:Laufzeit/x:Ende")
    return Case(
        id=_text(element, "x:Identifikation/x:ID").lower(),
        subject=_text(element, "x:AllgemeineMetadaten/x:Betreff") or _text(element, "x:Aktenbetreff"),
        reference=_text(element, "x:AllgemeineMetadaten/x:Kennzeichen"),
        opened_on=_date(element, "x:Laufzeit/x:Beginn"),
        closed_on=closed,
        documents=tuple(_document(d) for d in element.findall("x:Dokument", _NS)),
        notes=tuple(
            _note(h)
            for h in element.findall("x:HistorienProtokollInformation", _NS)
            if _text(h, "x:Aktion") == NOTE_ACTION
        ),
    )


def _note(element: etree._Element) -> Note:
    at = _datetime(element, "x:DatumUhrzeit")
    if at is None:  # pragma: no cover - the schema requires it
        raise XdomeaError("Einer Notiz fehlt der Zeitpunkt.")
    return Note(author=_text(element, "x:Akteur"), at=at, text=_text(element, "x:Bemerkung"))


def _file(akte: etree._Element) -> FileRecord:
    content = akte.find("x:Akteninhalt", _NS)
    if content is not None and (
        content.find("x:Teilakte", _NS) is not None or content.find("x:Dokument", _NS) is not None
    ):
        raise XdomeaError(
            "Teilakten und Dokumente direkt in der Akte werden nicht übernommen; "
            "jedes Dokument muss in einem Vorgang liegen."
        )
    cases = tuple(_case(c) for c in content.findall("x:Vorgang", _NS)) if content is not None else ()
    years = _text(akte, "x:ArchivspezifischeMetadaten/x:Aufbewahrungsdauer/x:AnzahlJahre")
    closed = _date(akte, "x:ZdADatum")
    if closed is None and _text(akte, "x:ZdA") == "true":
        closed = _date(akte, "x:Laufzeit/x:Ende")
    return FileRecord(
        id=_text(akte, "x:Identifikation/x:ID").lower(),
        aktenzeichen=_text(akte, "x:AllgemeineMetadaten/x:Kennzeichen"),
        title=_text(akte, "x:AllgemeineMetadaten/x:Betreff"),
        plan_number=_text(akte, "x:AllgemeineMetadaten/x:Aktenplaneinheit/x:Kennzeichen"),
        plan_title=_text(akte, "x:AllgemeineMetadaten/x:Aktenplaneinheit/x:Inhaltsangabe"),
        opened_on=_date(akte, "x:Laufzeit/x:Beginn"),
        closed_on=closed,
        retention_years=int(years) if years else None,
        disposal=_text(akte, "x:ArchivspezifischeMetadaten/x:Aussonderungsart/x:Aussonderungsart/code"),
        retention_ends=_date(akte, "x:ArchivspezifischeMetadaten/x:Aufbewahrungsende"),
        cases=cases,
    )


def read_files(root: etree._Element) -> tuple[Header, tuple[FileRecord, ...]]:
    """The files of a 0503 Aussonderung or 0401 Abgabe (or a 0501 offer, without content)."""
    _expect(root, TRANSFER, ABGABE, "0501")
    files = []
    for number, sgo in enumerate(root.findall("x:Schriftgutobjekt", _NS), start=1):
        akte = sgo.find("x:Akte", _NS)
        if akte is None:
            kind = etree.QName(sgo[0]).localname if len(sgo) else "?"
            raise XdomeaError(f"Schriftgutobjekt {number} ist ein {kind}; übernommen werden nur ganze Akten.")
        files.append(_file(akte))
    return read_header(root), tuple(files)


def read_evaluation(root: etree._Element) -> tuple[Header, tuple[Decision, ...]]:
    """The archive's decisions of a 0502 Bewertungsverzeichnis (A or V per object)."""
    _expect(root, EVALUATION)
    decisions = []
    for element in root.findall("x:BewertetesObjekt", _NS):
        object_id = _text(element, "x:ID").lower()
        code = _text(element, "x:Aussonderungsart/x:Aussonderungsart/code")
        if code not in (ARCHIVE, DESTROY):
            configurable = _text(element, "x:Aussonderungsart/x:AussonderungsartKonfigurierbar")
            raise XdomeaError(
                f"Für das Objekt {object_id} steht die Bewertung „{code or configurable}“; "
                "erwartet wird A (archivwürdig) oder V (vernichten)."
            )
        decisions.append(Decision(id=object_id, disposal=code))
    return read_header(root), tuple(decisions)


def read_import_receipt(root: etree._Element) -> tuple[Header, tuple[ImportResult, ...]]:
    """The archive's receipt (0506): per transferred object success and archive reference."""
    _expect(root, IMPORT_RECEIPT)
    results = []
    for element in root.findall("x:AusgesondertesSGO", _NS):
        results.append(
            ImportResult(
                id=_text(element, "x:IDSGO").lower(),
                success=_text(element, "x:Erfolgreich") in ("true", "1"),
                archive_reference=_text(element, "x:Archivkennung"),
                errors=tuple((e.text or "").strip() for e in element.findall("x:Fehlermeldung", _NS)),
            )
        )
    return read_header(root), tuple(results)
