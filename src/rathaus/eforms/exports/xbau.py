"""A submitted Bauantrag as the XBau 2.6 message ``baugenehmigung.antrag.0200`` (ADR 0109).

``antrag_0200`` builds the message from the cleaned data of the form ``bauantrag`` (the values
``application.data`` holds) with lxml; ``bauantrag_xbau(application)`` is the exporter for a
submitted application and returns the UTF-8 bytes. Before building, ``check`` looks for every
value the schema makes mandatory (Bauherr, Flurstück, Art der Maßnahme, Bauvorlagen, …) and
``XBauDataMissing`` names each one missing in German, so an incomplete application never
becomes an invalid message. ``schema_errors`` validates bytes against the official XSD
(``xsd/xbau-nachrichten-baugenehmigung.xsd`` of the XBau 2.6 release) with the project's
hardened parser; the tests run it against ../shared/standards/xbau-2.6.

Identifiers (message UUID, Akteur ids) are derived from the application's public id, so the
same application always gives the same message (a resend keeps its UUID, as XÖV allows).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from rathaus.kernel import xmlsafe
from rathaus.kernel.exceptions import InvalidInput

__all__ = [
    "SCHEMA_FILE",
    "XBauDataMissing",
    "antrag_0200",
    "bauantrag_xbau",
    "check",
    "schema_errors",
]

NS = "http://www.xleitstelle.de/xbau/2/6"  # the message and baukasten elements (qualified)
SCHEMA_FILE = "xsd/xbau-nachrichten-baugenehmigung.xsd"  # relative to the XBau 2.6 folder
PRODUCT = "Rathaus Online-Dienste"
VENDOR = "Freie Hansestadt Bremen"
AUTHOR_KEY = "rathaus:online-dienste"  # placeholder until the service has a DVDV entry (ADR 0109)
_ID_SPACE = uuid.UUID("6f1c0f52-3c55-4c2e-9a7e-0109a0b0a0c0")  # namespace for derived UUIDs

# Code lists: URI and version as the message must name them.
NACHRICHTEN = ("urn:xoev-de:xbau:codeliste:xbau-nachrichten", "4.0")
VERZEICHNISDIENST = ("urn:xoev-de:kosit:codeliste:verzeichnisdienst", "3")
BUNDESLAND = ("urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:bundesland", "2010-04-01")
BAUMASSNAHME = ("urn:xoev-de:xbau:codeliste:baumassnahmeart", "2.0")
GEBAEUDEKLASSE = ("urn:xoev-de:xbau:codeliste:gebaeudeklasse", "3.0")
ANLAGEN = ("urn:xoev-de:xbau:codeliste:anlagen", "3.0")
MIMETYPES = ("urn:xoev-de:xbau:codeliste:xbau-mimetypes", "1.0")
# XBau leaves the procedure list to each Land; Bremen publishes none, so this one is ours.
VERFAHRENSART = ("urn:de:bremen:rathaus:codeliste:verfahrensart-bremlbo", "1")
BREMEN = "04"

ART_DER_MASSNAHME = {"neubau": "11", "aenderung": "12", "nutzungsaenderung": "13", "abbruch": "30"}
VERFAHREN = {"vereinfacht": "63", "regulaer": "64"}  # § 63 / § 64 BremLBO
KAMMER_LAND = {"akhb": BREMEN, "ikhb": BREMEN}
# form field → (Anlageart of the XBau code list "anlagen", what the list calls it)
BAUVORLAGEN = (
    ("lageplan", "1803", "Lageplan"),
    ("bauzeichnungen", "2000", "Bauzeichnungen"),
    ("baubeschreibung", "1500", "Baubeschreibung"),
)


class XBauDataMissing(InvalidInput):
    """The application lacks values the XBau message needs; ``problems`` names each."""

    default_code = "xbau_data_missing"
    default_message = "Die XBau-Nachricht kann nicht erstellt werden."

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(
            "Die XBau-Nachricht kann nicht erstellt werden: " + "; ".join(self.problems) + ".",
            code=self.default_code,
        )


class _Office(Protocol):
    slug: str
    name: str


class _Application(Protocol):
    public_id: uuid.UUID
    reference: str
    data: Any
    submitted_at: datetime.datetime | None

    @property
    def office(self) -> _Office | None: ...


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value.strip() if isinstance(value, str) else ""


def _files(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [
        item for item in value if isinstance(item, Mapping) and item.get("filename") and item.get("sha256")
    ]


def check(data: Mapping[str, Any]) -> list[str]:
    """The mandatory values of the message that ``data`` lacks, in German ([] when complete)."""
    problems: list[str] = []

    def need(key: str, what: str) -> None:
        if not _text(data, key):
            problems.append(f"{what} fehlt")

    art = _text(data, "bauherr_art")
    if art == "person":
        need("bauherr_familienname", "Familienname der Bauherrin oder des Bauherrn")
        need("bauherr_vornamen", "Vorname der Bauherrin oder des Bauherrn")
    elif art == "organisation":
        need("bauherr_organisation", "Name des bauenden Unternehmens")
    else:
        problems.append("Angabe, ob eine Person oder ein Unternehmen baut, fehlt")
    need("bauherr_ort", "Anschrift der Bauherrin oder des Bauherrn")
    need("bezeichnung", "Bezeichnung des Vorhabens")
    if _text(data, "vorhaben_art") not in ART_DER_MASSNAHME:
        problems.append("Art des Vorhabens fehlt oder ist unbekannt")
    if _text(data, "verfahren") and _text(data, "verfahren") not in VERFAHREN:
        problems.append("Verfahren ist unbekannt")
    if _text(data, "gebaeudeklasse") and _text(data, "gebaeudeklasse") not in {"1", "2", "3", "4", "5"}:
        problems.append("Gebäudeklasse muss 1 bis 5 sein")
    if not isinstance(data.get("anzahl_gebaeude"), int) or data["anzahl_gebaeude"] < 0:
        problems.append("Zahl der Gebäude fehlt")
    parcels = [p for p in data.get("flurstueck") or [] if isinstance(p, Mapping)]
    if not parcels:
        problems.append("mindestens ein Flurstück fehlt")
    for number, parcel in enumerate(parcels, start=1):
        if not _text(parcel, "gemarkung") or not _text(parcel, "zaehler"):
            problems.append(f"Gemarkung oder Flurstücksnummer des {number}. Flurstücks fehlt")
    if not any(_files(data, key) for key, _, _ in BAUVORLAGEN):
        problems.append("Bauvorlagen fehlen")
    membership = _text(data, "ev_familienname") and _text(data, "ev_mitgliedsnummer")
    if membership and _text(data, "ev_kammer") not in KAMMER_LAND and not _text(data, "ev_kammer_land"):
        problems.append("Land der Kammer der Entwurfsverfasserin oder des Entwurfsverfassers fehlt")
    return problems


def _uid(application_id: uuid.UUID, role: str) -> str:
    return str(uuid.uuid5(_ID_SPACE, f"{application_id}:{role}"))


def _sub(
    parent: etree._Element, name: str, text: str | None = None, *, qualified: bool = True
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{name}" if qualified else name)
    if text is not None:
        element.text = text
    return element


def _code(
    parent: etree._Element, name: str, code: str, codelist: tuple[str, str], *, qualified: bool = True
) -> etree._Element:
    """A code element: ``<name listURI listVersionID><code>…</code></name>`` (code unqualified)."""
    element = _sub(parent, name, qualified=qualified)
    element.set("listURI", codelist[0])
    element.set("listVersionID", codelist[1])
    _sub(element, "code", code, qualified=False)
    return element


def _decimal(value: Any) -> str | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return str(number.quantize(Decimal("0.01"))) if number.is_finite() else None


def _behoerde(parent: etree._Element, name: str, key: str, title: str) -> None:
    element = _sub(parent, name, qualified=False)
    _code(element, "verzeichnisdienst", "DVDV", VERZEICHNISDIENST, qualified=False)
    _sub(element, "kennung", key, qualified=False)
    _sub(element, "name", title, qualified=False)


def _anschrift(
    parent: etree._Element, name: str, street: str, postcode: str, town: str, *, qualified: bool
) -> None:
    """An address; its parts are always unqualified (kernel module types, restricted in XBau)."""
    element = _sub(parent, name, qualified=qualified)
    for child, value in (("strasseHausnummer", street), ("postleitzahl", postcode), ("ort", town)):
        if value:
            _sub(element, child, value, qualified=False)


def _person(
    parent: etree._Element, ident: str, family: str, given: str, address: tuple[str, str, str]
) -> None:
    """``natuerlichePerson`` of an xbauk:Akteur (kernel module elements are unqualified)."""
    person = _sub(parent, "natuerlichePerson", qualified=False)
    _sub(person, "id", ident, qualified=False)
    name = _sub(person, "name", qualified=False)
    _sub(_sub(name, "familienname", qualified=False), "name", family, qualified=False)
    _sub(_sub(name, "vorname", qualified=False), "name", given, qualified=False)
    _anschrift(person, "anschrift", *address, qualified=False)


def _bauherr(
    parent: etree._Element, name: str, data: Mapping[str, Any], ident: str, *, qualified: bool
) -> None:
    akteur = _sub(parent, name, qualified=qualified)
    address = (_text(data, "bauherr_strasse"), _text(data, "bauherr_plz"), _text(data, "bauherr_ort"))
    if _text(data, "bauherr_art") == "person":
        _person(akteur, ident, _text(data, "bauherr_familienname"), _text(data, "bauherr_vornamen"), address)
        return
    organisation = _sub(akteur, "organisation", qualified=False)
    _sub(organisation, "id", ident, qualified=False)
    _sub(
        _sub(organisation, "name", qualified=False),
        "name",
        _text(data, "bauherr_organisation"),
        qualified=False,
    )
    _anschrift(organisation, "anschrift", *address, qualified=False)


def _entwurfsverfasser(parent: etree._Element, data: Mapping[str, Any], ident: str) -> None:
    if not _text(data, "ev_familienname"):
        return
    element = _sub(parent, "entwurfsverfasser")
    akteur = _sub(element, "personendaten")
    address = (_text(data, "ev_strasse"), _text(data, "ev_plz"), _text(data, "ev_ort"))
    _person(akteur, ident, _text(data, "ev_familienname"), _text(data, "ev_vornamen"), address)
    if _text(data, "ev_mitgliedsnummer"):
        membership = _sub(_sub(element, "berechtigung"), "mitgliedschaftInland")
        by_land = _sub(membership, "mitgliedsnummerBundesland")
        _sub(by_land, "mitgliedsnummer", _text(data, "ev_mitgliedsnummer"))
        land = KAMMER_LAND.get(_text(data, "ev_kammer")) or _text(data, "ev_kammer_land")
        _code(by_land, "bundesland", land, BUNDESLAND)


def _gegenstand(parent: etree._Element, data: Mapping[str, Any]) -> None:
    gegenstand = _sub(parent, "gegenstand")
    _sub(
        _sub(gegenstand, "anzahlDerGebaeude"), "anzahlDerGebaeudeImBauvorhaben", str(data["anzahl_gebaeude"])
    )
    _code(gegenstand, "artDerMassnahme", ART_DER_MASSNAHME[_text(data, "vorhaben_art")], BAUMASSNAHME)
    if _text(data, "gebaeudeklasse"):
        klassifikation = _sub(gegenstand, "bauordnungsrechtlicheKlassifikation")
        _code(klassifikation, "gebaeudeklasse", _text(data, "gebaeudeklasse"), GEBAEUDEKLASSE)
    vollgeschosse = data.get("vollgeschosse")
    geschossflaeche = _decimal(data.get("geschossflaeche"))
    bri = _decimal(data.get("brutto_rauminhalt"))
    if (isinstance(vollgeschosse, int) and vollgeschosse > 0) or geschossflaeche or bri:
        flaechen = _sub(_sub(gegenstand, "bauvorhabenDatenblatt"), "flaechen")
        if (isinstance(vollgeschosse, int) and vollgeschosse > 0) or geschossflaeche:
            baunvo = _sub(flaechen, "flaechen.BauNVO")
            if isinstance(vollgeschosse, int) and vollgeschosse > 0:
                _sub(baunvo, "anzahlVollgeschosse", str(vollgeschosse))
            if geschossflaeche:
                _sub(_sub(baunvo, "geschossflaechen"), "geschossflaeche", geschossflaeche)
        if bri:
            _sub(_sub(flaechen, "flaechen.DIN277"), "bruttoRauminhaltBRI", bri)
    stellplaetze = data.get("stellplaetze")
    if isinstance(stellplaetze, int):
        anzahl = _sub(_sub(gegenstand, "baubeschreibung"), "anzahlFahrzeugstellplaetze")
        _sub(_sub(anzahl, "kraftfahrzeuge"), "erforderlicheGesamtzahlStellplaetze", str(stellplaetze))


def _verortung(parent: etree._Element, data: Mapping[str, Any]) -> None:
    grundstueck = _sub(_sub(_sub(parent, "verortung"), "baugrundstueck"), "grundstueck")
    address = (
        _text(data, "grundstueck_strasse"),
        _text(data, "grundstueck_plz"),
        _text(data, "grundstueck_ort"),
    )
    if any(address):
        _anschrift(grundstueck, "anschrift", *address, qualified=True)
    for parcel in data.get("flurstueck") or []:
        flurstueck = _sub(grundstueck, "flurstueck")
        _code(flurstueck, "bundesland", BREMEN, BUNDESLAND, qualified=False)
        kodierung = _sub(flurstueck, "kodierungFlurstueck", qualified=False)
        _sub(
            _sub(kodierung, "gemarkung", qualified=False),
            "bezeichnung",
            _text(parcel, "gemarkung"),
            qualified=False,
        )
        for key in ("flur", "zaehler", "nenner"):
            if _text(parcel, key):
                _sub(kodierung, key, _text(parcel, key), qualified=False)


def _anlagen(parent: etree._Element, data: Mapping[str, Any], day: datetime.date) -> None:
    anlagen = _sub(parent, "anlagen")
    for key, art, title in BAUVORLAGEN:
        files = _files(data, key)
        for number, upload in enumerate(files, start=1):
            anlage = _sub(anlagen, "anlage", qualified=False)
            label = title if len(files) == 1 else f"{title} {number}"
            _sub(anlage, "bezeichnung", label, qualified=False)
            _sub(anlage, "versionsnummer", "1", qualified=False)
            _sub(anlage, "datum", day.isoformat(), qualified=False)
            _code(anlage, "anlageart", art, ANLAGEN, qualified=False)
            _code(
                anlage,
                "mimeType",
                str(upload.get("media_type") or "application/pdf"),
                MIMETYPES,
                qualified=False,
            )
            anhang = _sub(_sub(anlage, "anhangOderVerlinkung", qualified=False), "anhang", qualified=False)
            if isinstance(upload.get("size"), int):
                anhang.set("filesize", str(upload["size"]))
            _sub(anhang, "dokumentid", f"urn:sha256:{upload['sha256']}", qualified=False)
            _sub(anhang, "dateiname", str(upload["filename"]), qualified=False)


def antrag_0200(
    data: Mapping[str, Any],
    *,
    application_id: uuid.UUID,
    reference: str,
    office_key: str,
    office_name: str,
    created: datetime.datetime,
) -> etree._Element:
    """The message for a Bauantrag's cleaned ``data``; raises ``XBauDataMissing`` first when a
    mandatory value is missing. ``office_key`` is the reading office's directory key."""
    problems = check(data)
    if problems:
        raise XBauDataMissing(problems)
    root = etree.Element(f"{{{NS}}}baugenehmigung.antrag.0200", nsmap={"xbau": NS})
    root.set("produkt", PRODUCT)
    root.set("produkthersteller", VENDOR)
    root.set("standard", "XBau-Hochbau")
    root.set("version", "2.6")
    kopf = _sub(root, "nachrichtenkopf.g2g", qualified=False)
    identifikation = _sub(kopf, "identifikation.nachricht", qualified=False)
    _sub(identifikation, "nachrichtenUUID", _uid(application_id, "0200"), qualified=False)
    _code(identifikation, "nachrichtentyp", "0200", NACHRICHTEN, qualified=False)
    _sub(identifikation, "erstellungszeitpunkt", created.isoformat(timespec="seconds"), qualified=False)
    _behoerde(kopf, "leser", office_key, office_name)
    _behoerde(kopf, "autor", AUTHOR_KEY, PRODUCT)
    _sub(_sub(root, "referenzAntragsservice"), "referenzAntragsservice", str(application_id), qualified=False)
    bauherr_id = _uid(application_id, "bauherr")
    _bauherr(root, "antragsteller", data, bauherr_id, qualified=True)
    if _text(data, "verfahren"):
        _code(
            _sub(root, "prozessmerkmale"), "verfahrensart", VERFAHREN[_text(data, "verfahren")], VERFAHRENSART
        )
    bauvorhaben = _sub(root, "bauvorhaben")
    _sub(bauvorhaben, "bezeichnungDesBauvorhabens", _text(data, "bezeichnung"))
    beteiligte = _sub(bauvorhaben, "beteiligte")
    _bauherr(_sub(beteiligte, "bauherr"), "bauherr", data, bauherr_id, qualified=True)
    _entwurfsverfasser(beteiligte, data, _uid(application_id, "entwurfsverfasser"))
    _bauherr(beteiligte, "gebuehrenpflichtiger", data, bauherr_id, qualified=True)
    _gegenstand(bauvorhaben, data)
    _verortung(bauvorhaben, data)
    if reference:
        _sub(bauvorhaben, "weitereAngaben", f"Antragsnummer {reference}")
    if _text(data, "nutzung"):
        _sub(bauvorhaben, "weitereAngaben", f"Nutzung: {_text(data, 'nutzung')}")
    _anlagen(root, data, created.date())
    return root


def to_bytes(element: etree._Element) -> bytes:
    body: bytes = etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return body


def bauantrag_xbau(application: _Application) -> bytes:
    """The exporter of the form ``bauantrag``: the submitted application as XBau 0200 bytes."""
    if application.submitted_at is None or application.office is None:
        raise XBauDataMissing(["der Antrag ist noch nicht abgesendet"])
    data = application.data if isinstance(application.data, Mapping) else {}
    element = antrag_0200(
        data,
        application_id=application.public_id,
        reference=application.reference,
        office_key=f"rathaus:{application.office.slug}",
        office_name=application.office.name,
        created=application.submitted_at,
    )
    return to_bytes(element)


def schema_errors(xml: bytes, standard_dir: Path) -> list[xmlsafe.SchemaError]:
    """Validate a message against the official XSD in ``standard_dir`` (the XBau 2.6 folder)."""
    return xmlsafe.validate(xmlsafe.parse(xml), standard_dir / SCHEMA_FILE)
