"""The catalogue of legal bases for data exchanges between authorities (once-only principle).

Each entry names the paragraph of law that allows an office to receive data from a register
(``citation``, e.g. "§ 34 Abs. 1 BMG"), the register asked, the data categories the paragraph
covers and who may ask: office kinds (every tax office) and single offices by slug (the
parental benefit office). An entry with ``consent_required`` covers an exchange only with the
person's consent (e.g. § 25 BEEG: the registry office sends birth data to the parental benefit
office only if the parent has consented); its ``consent`` block is the template a citizen
consents to in "Mein Konto". An entry with a ``decision`` block is answered only after a clerk
of the register office named there has checked the single request (``ClerkDecision``).

The catalogue is data (``data/legal_bases.json``), reviewed like code; ``catalogue_from_data``
checks every entry and refuses the whole catalogue naming the first wrong entry, so that a
mistyped category never silently widens or narrows what is released.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).resolve().parent / "data" / "legal_bases.json"

# The registers an exchange can ask.
REGISTERS: Mapping[str, str] = {
    "melderegister": "Melderegister",
    "personenstandsregister": "Personenstandsregister",
    "mitteilungen": "Mitteilungen Dritter (Arbeitgeber, Rentenversicherung)",
}

# Data categories (German labels for documents; pages translate them in the registers app).
CATEGORIES: Mapping[str, str] = {
    "identity": "Name und Geschlecht",
    "birth": "Geburtsdatum und Geburtsort",
    "nationality": "Staatsangehörigkeit",
    "address": "Anschrift",
    "marital_status": "Familienstand und Ehe",
    "household": "Personen im Haushalt",
    "children": "Kinder und ihre Geburtsdaten",
    "death": "Sterbedatum",
    "tax_id": "Steuerliche Identifikationsnummer",
    "income": "Einkommensmitteilungen",
    "pension": "Rentenmitteilungen",
}

# Every field a register answers, with the category it belongs to.
FIELDS: Mapping[str, str] = {
    "name": "identity",
    "given_names": "identity",
    "family_name": "identity",
    "birth_name": "identity",
    "sex": "identity",
    "date_of_birth": "birth",
    "place_of_birth": "birth",
    "nationality": "nationality",
    "address": "address",
    "marital_status": "marital_status",
    "spouse": "marital_status",
    "household_members": "household",
    "children": "children",
    "date_of_death": "death",
    "tax_id": "tax_id",
    "income_notifications": "income",
    "pension_notifications": "pension",
}

# The kinds of office of rathaus.directory (Office.Kind); a test keeps both lists equal.
OFFICE_KINDS: frozenset[str] = frozenset(
    {
        "senate_department",
        "authority",
        "citizens_office",
        "registry_office",
        "tax_office",
        "archive",
        "other",
    }
)

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# A citation names a paragraph or an article: "§ 34 Abs. 1 BMG", "Art. 6 Abs. 1 Buchst. a DSGVO".
_CITATION = re.compile(r"(§|Art\.)\s*\d+")


class InvalidCatalogue(ValueError):
    """The catalogue data is wrong; the message names the entry and the problem."""


@dataclass(frozen=True)
class ClerkDecision:
    """An entry whose requests a clerk of ``office`` (the register office) decides one by one:
    the answer is held back ("pending") until released or refused; ``reason`` says why."""

    office: str
    reason: str


@dataclass(frozen=True)
class ConsentTemplate:
    """What a citizen consents to: data from ``from_office`` to ``to_office`` for ``days`` days."""

    from_office: str
    to_office: str
    days: int


@dataclass(frozen=True)
class LegalBasis:
    """One entry of the catalogue."""

    id: str
    citation: str
    title: str
    register: str
    purpose: str
    categories: frozenset[str]
    office_kinds: frozenset[str]
    offices: frozenset[str]
    consent_required: bool = False
    consent: ConsentTemplate | None = None
    decision: ClerkDecision | None = None

    def allows_office(self, *, slug: str, kind: str) -> bool:
        """May the office with this slug and kind ask under this entry?"""
        return slug in self.offices or kind in self.office_kinds

    @property
    def register_label(self) -> str:
        return REGISTERS[self.register]


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[LegalBasis, ...]

    def get(self, basis_id: str) -> LegalBasis | None:
        return next((entry for entry in self.entries if entry.id == basis_id), None)

    def consent_templates(self) -> tuple[LegalBasis, ...]:
        """The entries a citizen can consent to, in catalogue order."""
        return tuple(entry for entry in self.entries if entry.consent is not None)


def _strings(value: object, what: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"„{what}“ muss eine Liste von Texten sein")
    return frozenset(value)


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"„{key}“ fehlt oder ist leer")
    return value.strip()


def _consent(raw: object) -> ConsentTemplate:
    if not isinstance(raw, dict):
        raise ValueError("„consent“ muss ein Objekt sein")
    days = raw.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 3660:
        raise ValueError("„consent.days“ muss eine ganze Zahl von 1 bis 3660 sein")
    slugs = [raw.get("from_office"), raw.get("to_office")]
    if not all(isinstance(slug, str) and _SLUG.match(slug) for slug in slugs):
        raise ValueError(
            "„consent.from_office“ und „consent.to_office“ müssen Kurznamen von Dienststellen sein"
        )
    return ConsentTemplate(from_office=str(slugs[0]), to_office=str(slugs[1]), days=days)


def _decision(raw: object) -> ClerkDecision:
    if not isinstance(raw, dict):
        raise ValueError("„decision“ muss ein Objekt sein")
    office = raw.get("office")
    if not isinstance(office, str) or not _SLUG.match(office):
        raise ValueError("„decision.office“ muss der Kurzname einer Dienststelle sein")
    return ClerkDecision(office=office, reason=_text(raw, "reason"))


def _entry(raw: object) -> LegalBasis:
    if not isinstance(raw, dict):
        raise ValueError("ein Eintrag muss ein Objekt sein")
    basis_id = _text(raw, "id")
    if not _ID.match(basis_id):
        raise ValueError(
            "„id“ darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten (3 bis 60 Zeichen)"
        )
    citation = _text(raw, "citation")
    if not _CITATION.search(citation):
        raise ValueError(f"„citation“ nennt keinen Paragraphen oder Artikel: {citation!r}")
    register = _text(raw, "register")
    if register not in REGISTERS:
        raise ValueError(f"unbekanntes Register {register!r}")
    categories = _strings(raw.get("categories"), "categories")
    unknown = sorted(categories - set(CATEGORIES))
    if not categories or unknown:
        raise ValueError(f"unbekannte oder keine Datenkategorien: {unknown}")
    kinds = _strings(raw.get("office_kinds", []), "office_kinds")
    if sorted(kinds - OFFICE_KINDS):
        raise ValueError(f"unbekannte Arten von Dienststellen: {sorted(kinds - OFFICE_KINDS)}")
    offices = _strings(raw.get("offices", []), "offices")
    if not kinds and not offices:
        raise ValueError("niemand darf anfragen: „office_kinds“ und „offices“ sind leer")
    consent_required = raw.get("consent_required", False)
    if not isinstance(consent_required, bool):
        raise ValueError("„consent_required“ muss true oder false sein")
    consent = _consent(raw["consent"]) if "consent" in raw else None
    if consent is not None and not consent_required:
        raise ValueError("eine Vorlage für Einwilligungen („consent“) braucht „consent_required“: true")
    if consent is not None and consent.to_office not in offices:
        raise ValueError("„consent.to_office“ steht nicht unter „offices“")
    return LegalBasis(
        id=basis_id,
        citation=citation,
        title=_text(raw, "title"),
        register=register,
        purpose=_text(raw, "purpose"),
        categories=categories,
        office_kinds=kinds,
        offices=offices,
        consent_required=consent_required,
        consent=consent,
        decision=_decision(raw["decision"]) if "decision" in raw else None,
    )


def catalogue_from_data(data: object) -> Catalogue:
    """Check and build the catalogue from parsed JSON (``{"entries": [...]}``).

    Raises ``InvalidCatalogue`` naming the entry (position and id) of the first problem.
    """
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise InvalidCatalogue("Der Katalog muss ein Objekt mit der Liste „entries“ sein.")
    entries: list[LegalBasis] = []
    seen: set[str] = set()
    for position, raw in enumerate(data["entries"], start=1):
        name = raw.get("id", "?") if isinstance(raw, dict) else "?"
        try:
            entry = _entry(raw)
        except ValueError as error:
            raise InvalidCatalogue(f"Eintrag {position} ({name}): {error}.") from error
        if entry.id in seen:
            raise InvalidCatalogue(f"Eintrag {position} ({name}): die Kennung ist doppelt.")
        seen.add(entry.id)
        entries.append(entry)
    return Catalogue(entries=tuple(entries))


def load_catalogue(path: Path = DATA_FILE) -> Catalogue:
    """The catalogue in ``path`` (the reviewed one of the repository by default)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InvalidCatalogue(f"Der Katalog ist kein gültiges JSON: {error}") from error
    return catalogue_from_data(data)
