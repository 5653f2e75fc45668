"""The service catalogue as XML for other portals (issue 14, decision 0114): each published
service with its texts, documents, fee, deadlines, legal bases, responsible offices and, where it
can be applied for online, the online service with its level of assurance and the fields of its
form. The structure follows the XZuFi modules and FIM Datenfelder; the namespace is Rathaus' own
(``urn:rathaus:leistungskatalog:1``, schema ``eforms/schemas/rathaus-leistungskatalog-1.xsd``)
because no official XZuFi schema was at hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from .definition import Field, FormDefinition, Group, LevelOfAssurance

NAMESPACE = "urn:rathaus:leistungskatalog:1"
_NS = f"{{{NAMESPACE}}}"
LEVEL_NAMES = {
    LevelOfAssurance.NONE: "keines",
    LevelOfAssurance.LOW: "niedrig",
    LevelOfAssurance.SUBSTANTIAL: "substanziell",
    LevelOfAssurance.HIGH: "hoch",
}


@dataclass(frozen=True)
class CatalogueOffice:
    key: str  # an XML name, unique in the catalogue ("stelle-<slug>")
    name: str
    street: str = ""
    postal_code: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class CatalogueFee:
    description: str = ""  # what the catalogue tells citizens ("gebührenfrei", "13,00 Euro")
    amount: Decimal | None = None  # the fee schedule's flat amount, where it names one
    legal_basis: str = ""
    pay_first: bool | None = None  # paid before the application goes to the office


@dataclass(frozen=True)
class CatalogueService:
    leika: str
    name: str
    url: str  # the service's page in the portal
    office_keys: tuple[str, ...]
    summary: str = ""
    description: str = ""
    eligibility: str = ""
    keywords: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    fee: CatalogueFee | None = None
    deadlines: str = ""
    processing_time: str = ""
    legal_basis: tuple[str, ...] = ()
    by_appointment: bool = False
    in_person: bool = False
    online_url: str = ""  # the online application, where there is one
    form: FormDefinition | None = None


def _el(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _NS + name, {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


def _optional(parent: etree._Element, name: str, text: str) -> None:
    if text.strip():
        _el(parent, name, text.strip())


def _office(root: etree._Element, office: CatalogueOffice) -> None:
    unit = _el(root, "organisationseinheit", id=office.key)
    _el(unit, "name", office.name)
    if office.street or office.postal_code:
        address = _el(unit, "anschrift")
        _el(address, "strasse", office.street)
        _el(address, "postleitzahl", office.postal_code)
        _el(address, "ort", office.city)
    for name, value in (
        ("telefon", office.phone),
        ("email", office.email),
        ("internetadresse", office.website),
    ):
        _optional(unit, name, value)


def _datenfeld(parent: etree._Element, form: FormDefinition, field: Field) -> None:
    element = _el(
        parent,
        "datenfeld",
        id=field.id,
        fim=field.fim_id,
        datentyp=field.type.value,
        pflicht="true" if field.required else "false",
        bedingt="true" if field.visible_if is not None else "false",
    )
    _el(element, "name", field.label)
    _optional(element, "hilfetext", field.help)
    codelist = form.codelists.get(field.codelist) if field.codelist else None
    for code in codelist.codes if codelist else ():
        _el(element, "wert", code.label, code=code.code)


def _online(parent: etree._Element, service: CatalogueService, form: FormDefinition) -> None:
    online = _el(parent, "onlinedienst")
    _el(online, "internetadresse", service.online_url)
    _el(online, "vertrauensniveau", LEVEL_NAMES[form.level_of_assurance])
    element = _el(online, "formular", id=form.id, version=str(form.version))
    for step in form.steps:
        page = _el(element, "schritt", id=step.id)
        _el(page, "titel", step.title)
        for item in step.items:
            if isinstance(item, Group):
                group = _el(
                    page, "datenfeldgruppe", id=item.id, fim=item.fim_id,
                    min=str(item.min_repeat), max=str(item.max_repeat),
                )  # fmt: skip
                _el(group, "name", item.label)
                for field in item.fields:
                    _datenfeld(group, form, field)
            else:
                _datenfeld(page, form, item)


def _fee(parent: etree._Element, fee: CatalogueFee) -> None:
    costs = _el(parent, "modulKosten")
    _optional(costs, "beschreibung", fee.description)
    if fee.amount is not None:
        _el(costs, "betrag", f"{fee.amount:.2f}", waehrung="EUR")
    _optional(costs, "rechtsgrundlage", fee.legal_basis)
    if fee.pay_first is not None:
        _el(costs, "vorkasse", "true" if fee.pay_first else "false")


def _service(root: etree._Element, service: CatalogueService) -> None:
    entry = _el(root, "leistung")
    _el(entry, "leistungsschluessel", service.leika)
    text = _el(entry, "modulText")
    _el(text, "bezeichnung", service.name)
    for name, value in (
        ("kurztext", service.summary),
        ("volltext", service.description),
        ("voraussetzungen", service.eligibility),
    ):
        _optional(text, name, value)
    for keyword in service.keywords:
        _optional(text, "suchbegriff", keyword)
    _el(text, "internetadresse", service.url)
    if any(d.strip() for d in service.documents):
        documents = _el(entry, "modulDokument")
        for document in service.documents:
            _optional(documents, "dokument", document)
    if service.fee is not None:
        _fee(entry, service.fee)
    _optional(entry, "modulFrist", service.deadlines)
    _optional(entry, "modulBearbeitungsdauer", service.processing_time)
    if any(b.strip() for b in service.legal_basis):
        bases = _el(entry, "modulRechtsgrundlage")
        for basis in service.legal_basis:
            _optional(bases, "rechtsgrundlage", basis)
    for key in service.office_keys:
        _el(entry, "zustaendigkeit", organisationseinheit=key)
    access = _el(entry, "zugang")
    _el(access, "mitTermin", "true" if service.by_appointment else "false")
    _el(access, "ohneTermin", "true" if service.in_person else "false")
    if service.form is not None and service.online_url:
        _online(entry, service, service.form)


def catalogue_xml(
    *,
    publisher: str,
    created: datetime.datetime,
    offices: Sequence[CatalogueOffice],
    services: Sequence[CatalogueService],
) -> bytes:
    """The catalogue as UTF-8 XML. Every office a service names must be in ``offices`` (the
    schema's key reference); ``created`` must be timezone-aware."""
    if created.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    known = {office.key for office in offices}
    missing = sorted({key for service in services for key in service.office_keys} - known)
    if missing:
        raise ValueError(f"offices not in the catalogue: {', '.join(missing)}")
    root = etree.Element(_NS + "leistungskatalog", nsmap={None: NAMESPACE})
    _el(root, "herausgeber", publisher)
    _el(root, "erstellt", created.isoformat(timespec="seconds"))
    for office in offices:
        _office(root, office)
    for service in services:
        _service(root, service)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
