"""Build an XGewerbeanzeige 2.2 message from a submitted Gewerbean-, -um- or -abmeldung.

No XSD of XGewerbeanzeige is published where we can reach it (decision 0108); the message
follows the official KoSIT sample ``xgwa2.2-valid.xml`` (message ``abh.gewerbemeldung.0500``,
namespace ``http://www.xgewerbeanzeige.de/spezifikation/2.2``): the same root, attributes,
element names and order, with code elements (``code``) unqualified as in the sample. Only the
elements we have data for are written; the tests check every element path against the sample.
The 2.2 sample holds an Anmeldung only; the records of an Ummeldung and an Abmeldung share its
elements and add theirs after the 2.1 samples (``xgwa2.1-*.xml``, decision 0115).

Code values (our form's code list → XGewerbeanzeige) are in the ``*_CODES`` tables below; a code
that the samples or the code lists at hand do not confirm is not guessed: its element is left
out (``None`` in a table) and decision 0108 lists it as open.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

__all__ = [
    "ABMELDUNG_CODES",
    "ANLASS_CODES",
    "BETRIEBSART_FLAGS",
    "EINTRAGUNGSART_CODES",
    "GESCHLECHT_CODES",
    "MESSAGE",
    "NAMESPACE",
    "RECHTSFORM_CODES",
    "UMMELDUNG_CODES",
    "Authority",
    "gewerbeabmeldung_message",
    "gewerbeanmeldung_message",
    "gewerbeummeldung_message",
]

NAMESPACE = "http://www.xgewerbeanzeige.de/spezifikation/2.2"
MESSAGE = "abh.gewerbemeldung.0500"
MESSAGE_TYPE = "0500"
# The Meldungsart is the record under ``satz`` (the message type names the receiver): the 2.1
# samples carry ``anmeldung``, ``ummeldung`` and ``abmeldung`` records in one message.
ANMELDUNG = "anmeldung"
UMMELDUNG = "ummeldung"
ABMELDUNG = "abmeldung"
# The form field that holds the day the record is valid from (gueltigAb), per Meldungsart.
VALID_FROM: Mapping[str, str] = {ANMELDUNG: "beginn", UMMELDUNG: "aenderung", ABMELDUNG: "aufgabe"}
PRODUCT = "Rathaus"
VENDOR = "Rathaus"
PRODUCT_VERSION = "1"
DVDV_PREFIX = "MELDID"  # the sample's prefix for a trade office's identification
DVDV_PREFIX_VERSION = "7"
AGS_LIST = "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:ags"
AGS_VERSION = "2026-06-30"  # the newest AGS list in ../shared/standards/xoev-codelists
GERMANY = "276"  # Destatis Staatsschlüssel, as nationSchluessel in the sample
GERMAN = "000"  # Destatis Staatsangehörigkeitsschlüssel "deutsch" (sample xgwa2.1-valid.xml)
NIEDERLASSUNG_HAUPT = "1"  # niederlassungArt of the sample's Anmeldung: the form registers a main branch
PERSON_OWNER = "1"  # personFunktion of the sample's Inhaber (Einzelunternehmen)
PERSON_REPRESENTATIVE = "3"  # personFunktion of the person of the 2.1 samples' GmbH
CORPORATIONS = frozenset({"gmbh", "ug", "ag", "eg"})
KANAL_EMAIL = "01"  # urn:de:xoev:codeliste:erreichbarkeit
KANAL_TELEFON = "02"

# rechtsform → rechtsformSchluessel: the Destatis legal form keys (FIM code list C60000025
# "rechtsformen-gaengig"); the samples show 170 (e.K.) and 350 (GmbH).
RECHTSFORM_CODES: Mapping[str, str] = {
    "einzel": "180",  # nicht eingetragenes Einzelunternehmen (the form asks no register for it)
    "gbr": "270",
    "ohg": "210",
    "kg": "220",
    "gmbh": "350",
    "ug": "351",
    "ag": "310",
    "eg": "400",
}
# registerart → eintragungArt (XUnternehmen "Art der Eintragung"; the samples show A and B).
EINTRAGUNGSART_CODES: Mapping[str, str] = {"HRA": "A", "HRB": "B", "GnR": "G"}
# geschlecht → geschlecht (the sample shows 1 for a man); "d" and "x" are not confirmed.
GESCHLECHT_CODES: Mapping[str, str | None] = {"m": "1", "w": "2", "d": None, "x": None}
# anlass → grundAnmeldungSchluessel; only Neuerrichtung (01) is confirmed by the samples.
ANLASS_CODES: Mapping[str, str | None] = {
    "neuerrichtung": "01",
    "uebernahme": None,
    "umwandlung": None,
    "wiederaufnahme": None,
    "zuzug": None,
}
# Ummeldung (GewA 2): grund → grundUmmeldungSchluessel. No code list is at hand; the 2.1
# samples show two codes on records that differ from their business's Anmeldung in one thing
# only: 02 (xgwa2.1-invalid-xsd.xml, Datensatz B: the activity changed, neuAusgeuebt 1) and 03
# (xgwa2.1-invalid-sch.xml, Datensatz B: only the name changed). The rest are left out.
UMMELDUNG_CODES: Mapping[str, str | None] = {
    "verlegung": None,
    "taetigkeit_wechsel": "02",
    "taetigkeit_erweiterung": None,
    "taetigkeit_einschraenkung": None,
    "name": "03",
    "rechtsform": None,
}
# neuAusgeuebt: the main activity is carried on newly (changed or extended, not only reduced).
NEW_ACTIVITY = frozenset({"taetigkeit_wechsel", "taetigkeit_erweiterung"})
# Abmeldung (GewA 3): grund → grundAbmeldungSchluessel. Only 02 is shown with what it means
# (xgwa2.1-invalid-sch.xml, Datensatz C: the same firm's kuenftigesGewerbe at a Berlin address,
# a move out of the district); 01 and 04 appear with an Ursache but nothing that tells them apart.
ABMELDUNG_CODES: Mapping[str, str | None] = {
    "aufgabe": None,
    "verlegung": "02",
    "uebergabe": None,
    "rechtsform": None,
    "gesellschafteraustritt": None,
}
# betriebArt: one yes/no flag per kind, in the sample's order.
BETRIEBSART_FLAGS: Sequence[str] = ("industrie", "handwerk", "handel", "sonstiges")

_STREET = re.compile(r"^(?P<street>.*?\S)\s+(?P<number>\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$")


@dataclass(frozen=True)
class Authority:
    """An authority as author or reader of a message (nachrichtenkopf and satz)."""

    name: str
    municipality_key: str  # amtlicher Gemeindeschlüssel (AGS), 8 digits
    email: str = ""
    phone: str = ""
    street_address: str = ""
    postal_code: str = ""
    city: str = ""


def split_street(value: str) -> tuple[str, str]:
    """ "Am Wall 12a" → ("Am Wall", "12a"); without a trailing number, the number is empty."""
    text = " ".join(value.split())
    match = _STREET.match(text)
    if match is None:
        return text, ""
    return match["street"], match["number"].replace(" ", "")


class _Builder:
    def __init__(self) -> None:
        self.ns = f"{{{NAMESPACE}}}"

    def el(self, parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
        node = etree.SubElement(parent, self.ns + name, attrs)
        if text is not None:
            node.text = text
        return node

    def code(self, parent: etree._Element, name: str, value: str, **attrs: str) -> etree._Element:
        node = self.el(parent, name, **attrs)
        etree.SubElement(node, "code").text = value  # unqualified, as in the sample
        return node

    def reachability(self, parent: etree._Element, email: str, phone: str) -> None:
        for channel, value in ((KANAL_EMAIL, email), (KANAL_TELEFON, phone)):
            if value:
                node = self.el(parent, "erreichbarkeit")
                self.code(node, "kanal", channel)
                self.el(node, "kennung", value)

    def authority(self, parent: etree._Element, name: str, who: Authority) -> None:
        node = self.el(parent, name)
        ident = self.el(node, "behoerdenkennung")
        self.code(ident, "praefix", DVDV_PREFIX, listVersionID=DVDV_PREFIX_VERSION)
        self.code(ident, "kennung", who.municipality_key, listURI=AGS_LIST, listVersionID=AGS_VERSION)
        self.reachability(node, who.email, who.phone)
        if who.street_address and who.city:
            street, number = split_street(who.street_address)
            address = self.el(node, "anschrift")
            self.el(address, "strasse", street)
            if number:
                self.el(address, "hausNr", number)
            self.el(address, "ort", who.city)
            if who.postal_code:
                self.el(address, "plz", who.postal_code)
        self.el(node, "behoerdenname", who.name)

    def address(self, parent: etree._Element, street_address: str, postcode: str, town: str) -> None:
        """A Betriebsstätte's or person's address (``hausNrVon``, with nation)."""
        street, number = split_street(street_address)
        node = self.el(parent, "anschrift")
        self.el(node, "strasse", street)
        if number:
            self.el(node, "hausNrVon", number)
        self.el(node, "ort", town)
        self.el(node, "plz", postcode)
        self.code(node, "nationSchluessel", GERMANY, listVersionID="2")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(value).strip() if value not in (None, "") else ""


def _birth_date(value: str) -> str:
    """ISO date → the sample's ``TTMMJJJJ``."""
    day = datetime.date.fromisoformat(value)
    return f"{day.day:02d}{day.month:02d}{day.year:04d}"


def _timestamp(moment: datetime.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("the timestamp must be timezone-aware")
    return moment.replace(microsecond=0).isoformat()


def _person(b: _Builder, parent: etree._Element, person: Mapping[str, Any], function: str) -> None:
    node = b.el(parent, "beteiligtePerson")
    b.code(node, "personFunktion", function)
    b.el(node, "familienname", _text(person, "familienname"))
    b.el(node, "vorname", _text(person, "vornamen"))
    gender = GESCHLECHT_CODES.get(_text(person, "geschlecht"))
    if gender is not None:
        b.code(node, "geschlecht", gender, listVersionID="3")
    if _text(person, "geburtsdatum"):
        b.el(node, "geburtsdatum", _birth_date(_text(person, "geburtsdatum")))
    if _text(person, "geburtsort"):
        b.el(node, "geburtsort", _text(person, "geburtsort"))
    if _text(person, "staatsangehoerigkeit").casefold() in {"deutsch", "deutschland", "de"}:
        nationalities = b.el(node, "staatangehoerigkeiten")  # sic, as in the sample
        b.code(nationalities, "staatsangehoerigkeitSchluessel", GERMAN, listVersionID="2019-04-01")
    if _text(person, "strasse"):
        b.address(node, _text(person, "strasse"), _text(person, "plz"), _text(person, "ort"))
    b.reachability(node, _text(person, "email"), _text(person, "telefon"))


def _betrieb(b: _Builder, parent: etree._Element, data: Mapping[str, Any]) -> None:
    node = b.el(parent, "betrieb")
    b.el(node, "ID", "1")
    if _text(data, "betriebsname"):
        b.el(node, "eingetragenerName", _text(data, "betriebsname"))
    number = _text(data, "registernummer")
    register = _text(data, "registerart")
    if number:
        b.el(node, "eintragungNr", re.sub(r"^(HRA|HRB|GnR)\s*", "", number, flags=re.IGNORECASE))
    if register in EINTRAGUNGSART_CODES:
        b.code(node, "eintragungArt", EINTRAGUNGSART_CODES[register])
    b.code(node, "rechtsformSchluessel", RECHTSFORM_CODES[_text(data, "rechtsform")])


def _count(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return str(int(value)) if value not in (None, "") else "0"


def _gewerbe(b: _Builder, parent: etree._Element, data: Mapping[str, Any]) -> None:
    node = b.el(parent, "gewerbe")
    _betrieb(b, node, data)
    b.el(node, "anzahlVollzeitBeschaeftigte", _count(data, "vollzeit"))
    b.el(node, "anzahlTeilzeitBeschaeftigte", _count(data, "teilzeit"))
    kinds = set(data.get("betriebsart") or ())
    betrieb_art = b.el(node, "betriebArt")
    for kind in BETRIEBSART_FLAGS:
        b.code(betrieb_art, kind, "1" if kind in kinds else "0")
    b.code(node, "niederlassungArt", NIEDERLASSUNG_HAUPT)
    b.code(node, "istReisegewerbe", "0")  # § 14 GewO: a stehendes Gewerbe
    b.code(node, "istNebenerwerb", "1" if data.get("nebenerwerb") else "0")
    b.address(node, _text(data, "betrieb_strasse"), _text(data, "betrieb_plz"), _text(data, "betrieb_ort"))
    applicant = PERSON_REPRESENTATIVE if _text(data, "rechtsform") in CORPORATIONS else PERSON_OWNER
    _person(b, node, data, applicant)
    for partner in data.get("gesellschafter") or ():
        _person(b, node, partner, PERSON_OWNER)


def _record(
    b: _Builder,
    root: etree._Element,
    kind: str,
    data: Mapping[str, Any],
    reference: str,
    author: Authority,
    at: str,
) -> etree._Element:
    """The part every Meldungsart shares, up to ``taetigkeitenGesamt``; returns the record.

    ``gewerbebetriebID`` names the business, not the message: the samples give the Anmeldung,
    Ummeldung and Abmeldung of one business the same ID. It is derived from the reference of the
    business's Anmeldung when the citizen names it (``anmeldung_aktenzeichen``), so the messages
    of one business registered here agree; otherwise from this application's reference.
    """
    record = b.el(b.el(root, "satz"), kind)
    b.el(record, "satzErstellung", at)
    b.el(record, "ereigniszeitpunkt", at)
    b.authority(record, "autor", author)
    b.code(record, "istKorrektur", "0")
    b.code(record, "gemeindeSchluessel", author.municipality_key, listVersionID=AGS_VERSION)
    b.el(record, "gemeindeMeldungNr", reference)
    business = _text(data, "anmeldung_aktenzeichen") or reference
    b.el(
        record, "gewerbebetriebID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"rathaus:gewerbebetrieb:{business}"))
    )
    b.el(record, "uuid", str(uuid.uuid5(uuid.NAMESPACE_URL, f"rathaus:gewerbemeldung:satz:{reference}")))
    _gewerbe(b, record, data)
    b.el(record, "gueltigAb", _text(data, VALID_FROM[kind]))
    b.el(record, "datumMeldung", at[:10])
    activities = b.el(b.el(record, "taetigkeitenGesamt"), "schwerpunkt")
    b.el(activities, "taetigkeitSchwerpunkt", _text(data, "taetigkeit"))
    return record


def _anmeldung(b: _Builder, record: etree._Element, data: Mapping[str, Any]) -> None:
    reason = ANLASS_CODES.get(_text(data, "anlass"))
    if reason is not None:
        b.code(record, "grundAnmeldungSchluessel", reason)


def _ummeldung(b: _Builder, record: etree._Element, data: Mapping[str, Any]) -> None:
    reasons = [str(code) for code in data.get("grund") or ()]
    focus = record.find(f"{b.ns}taetigkeitenGesamt/{b.ns}schwerpunkt")
    assert focus is not None
    changed = any(reason in NEW_ACTIVITY for reason in reasons)
    b.code(focus, "neuAusgeuebt", "1" if changed else "0")
    known = [code for code in (UMMELDUNG_CODES.get(reason) for reason in reasons) if code is not None]
    if known:
        node = b.el(record, "gruendeUmmeldung")
        for code in dict.fromkeys(known):
            b.code(node, "grundUmmeldungSchluessel", code)


def _abmeldung(b: _Builder, record: etree._Element, data: Mapping[str, Any]) -> None:
    """``kuenftigesGewerbe`` (written, possibly empty, as in both 2.1 samples), then the reason."""
    reason = _text(data, "grund")
    future = b.el(record, "kuenftigesGewerbe")
    if reason == "verlegung":
        if _text(data, "betriebsname"):
            b.el(future, "nameFirmaGewerbetreibender", _text(data, "betriebsname"))
        b.address(future, _text(data, "neu_strasse"), _text(data, "neu_plz"), _text(data, "neu_ort"))
    elif reason == "uebergabe":
        b.el(future, "nameFirmaGewerbetreibender", _text(data, "nachfolger_name"))
        if _text(data, "nachfolger_strasse"):
            b.address(
                future,
                _text(data, "nachfolger_strasse"),
                _text(data, "nachfolger_plz"),
                _text(data, "nachfolger_ort"),
            )
    code = ABMELDUNG_CODES.get(reason)
    if code is not None:
        b.code(record, "grundAbmeldungSchluessel", code)


_TAILS = {ANMELDUNG: _anmeldung, UMMELDUNG: _ummeldung, ABMELDUNG: _abmeldung}


def _message(
    kind: str,
    data: Mapping[str, Any],
    *,
    reference: str,
    author: Authority,
    created: datetime.datetime,
    reader: Authority | None,
) -> bytes:
    b = _Builder()
    at = _timestamp(created)
    root = etree.Element(
        b.ns + MESSAGE,
        {
            "produkt": PRODUCT,
            "produkthersteller": VENDOR,
            "produktversion": PRODUCT_VERSION,
            "standard": "XGewerbeanzeige",
            "version": "2.2",
        },
        nsmap={"xga": NAMESPACE},
    )
    head = b.el(root, "nachrichtenkopf")
    ident = b.el(head, "identifikation.nachricht")
    b.el(ident, "nachrichtenUUID", str(uuid.uuid5(uuid.NAMESPACE_URL, f"rathaus:gewerbemeldung:{reference}")))
    b.code(ident, "nachrichtentyp", MESSAGE_TYPE)
    b.el(ident, "erstellungszeitpunkt", at)
    b.authority(head, "leser", reader or author)
    b.authority(head, "autor", author)
    record = _record(b, root, kind, data, reference, author, at)
    _TAILS[kind](b, record, data)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def gewerbeanmeldung_message(
    data: Mapping[str, Any],
    *,
    reference: str,
    author: Authority,
    created: datetime.datetime,
    reader: Authority | None = None,
) -> bytes:
    """The XGewerbeanzeige 2.2 message of one Gewerbeanmeldung as UTF-8 bytes.

    ``data`` is the cleaned data of the form ``gewerbeanmeldung`` (its field ids, dates ISO);
    ``reference`` the application's reference (``gemeindeMeldungNr``); ``author`` the office that
    received it (nachrichtenkopf and satz); ``reader`` defaults to the author; ``created`` the
    submission time (timezone-aware). The same input gives the same bytes: the UUIDs are derived
    from the reference.
    """
    return _message(ANMELDUNG, data, reference=reference, author=author, created=created, reader=reader)


def gewerbeummeldung_message(
    data: Mapping[str, Any],
    *,
    reference: str,
    author: Authority,
    created: datetime.datetime,
    reader: Authority | None = None,
) -> bytes:
    """The message of one Gewerbeummeldung (form ``gewerbe-ummelden``): ``satz/ummeldung``.

    The business as it is after the change (address, name, legal form, activity), valid from
    ``aenderung``; ``neuAusgeuebt`` 1 when the activity changed; ``gruendeUmmeldung`` with the
    reasons whose codes are known (``UMMELDUNG_CODES``). Arguments as for the Anmeldung.
    """
    return _message(UMMELDUNG, data, reference=reference, author=author, created=created, reader=reader)


def gewerbeabmeldung_message(
    data: Mapping[str, Any],
    *,
    reference: str,
    author: Authority,
    created: datetime.datetime,
    reader: Authority | None = None,
) -> bytes:
    """The message of one Gewerbeabmeldung (form ``gewerbe-abmelden``): ``satz/abmeldung``.

    The business as it was, valid until ``aufgabe``; ``kuenftigesGewerbe`` with the new address
    (Verlegung) or the successor (Übergabe); ``grundAbmeldungSchluessel`` where its code is known
    (``ABMELDUNG_CODES``). Arguments as for the Anmeldung.
    """
    return _message(ABMELDUNG, data, reference=reference, author=author, created=created, reader=reader)
