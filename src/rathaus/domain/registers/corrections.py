"""Which register entries staff may correct, which register owns each, and what a valid value is.

A correction (Berichtigung, § 12 BMG; § 47 PStG) changes one field of a person's entry after a
second member of staff has approved it. Only the fields listed here can be corrected this way:
an address changes by a registered move, a death by the registry office's entry of it. The
civil status register (Personenstandsregister, kept by the registry office) owns the names, the
birth and the sex; the residents' register (Melderegister, kept by the residence registration
office) owns the nationality. Values travel as strings (dates in ISO form) and are checked and
normalised by ``parse_value``. Pure Python: nothing is read or written.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from rathaus.domain.eforms import values

__all__ = [
    "CORRECTABLE",
    "Correctable",
    "InvalidCorrection",
    "Register",
    "field_label",
    "field_spec",
    "parse_value",
]


class Register(StrEnum):
    RESIDENTS = "residents"  # Melderegister (Bundesmeldegesetz), the residence registration office
    CIVIL_STATUS = "civil_status"  # Personenstandsregister (Personenstandsgesetz), the registry office


class InvalidCorrection(ValueError):
    """A field that cannot be corrected, or a value it cannot take (German message)."""


@dataclass(frozen=True)
class Correctable:
    field: str
    label: str  # German: shown to staff
    register: Register
    kind: str  # "name", "text", "date", "sex" or "country"
    max_length: int = 120
    required: bool = True


CORRECTABLE: dict[str, Correctable] = {
    spec.field: spec
    for spec in (
        Correctable("family_name", "Familienname", Register.CIVIL_STATUS, "name"),
        Correctable("given_names", "Vornamen", Register.CIVIL_STATUS, "name", max_length=200),
        Correctable("birth_name", "Geburtsname", Register.CIVIL_STATUS, "name", required=False),
        Correctable("date_of_birth", "Geburtsdatum", Register.CIVIL_STATUS, "date"),
        Correctable("place_of_birth", "Geburtsort", Register.CIVIL_STATUS, "text", required=False),
        Correctable("sex", "Geschlecht", Register.CIVIL_STATUS, "sex"),
        Correctable("nationality", "Staatsangehörigkeit", Register.RESIDENTS, "country"),
    )
}

# German names of the fields a change of an entry can name (the correctable ones and the others).
FIELD_LABELS: dict[str, str] = {
    **{spec.field: spec.label for spec in CORRECTABLE.values()},
    "address": "Anschrift",
    "household": "Haushalt",
    "moved_in_on": "Einzugsdatum",
    "date_of_death": "Sterbedatum",
    "marital_status": "Familienstand",
    "birth_record": "Geburtseintrag",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


SEXES = ("w", "m", "d", "x")  # weiblich, männlich, divers, ohne Angabe (§ 22 Abs. 3 PStG)
SEX_WORDS = {"weiblich": "w", "männlich": "m", "maennlich": "m", "divers": "d", "ohne angabe": "x"}
_COUNTRY = re.compile(r"^[A-Z]{3}$")  # ISO 3166-1 alpha-3
_NAME = re.compile(r"^[^\d\x00-\x1f<>]+$")  # letters of any script, spaces, hyphens, apostrophes


def field_spec(field: str) -> Correctable:
    spec = CORRECTABLE.get(field)
    if spec is None:
        raise InvalidCorrection(f"Das Feld „{field}“ kann nicht berichtigt werden.")
    return spec


def _date(raw: str, today: datetime.date) -> str:
    try:
        day = values.date(raw)  # "24.12.1990" as people write it, or ISO from a date input
    except values.ValueProblem:
        raise InvalidCorrection("Bitte geben Sie ein gültiges Datum an, zum Beispiel 24.12.1990.") from None
    if day > today:
        raise InvalidCorrection("Ein Geburtsdatum kann nicht in der Zukunft liegen.")
    return day.isoformat()


def parse_value(field: str, raw: str, *, today: datetime.date) -> str:
    """The normalised value of ``raw`` for ``field``; ``InvalidCorrection`` when it cannot be."""
    spec = field_spec(field)
    value = " ".join(raw.split())
    if not value:
        if spec.required:
            raise InvalidCorrection(f"Bitte geben Sie den neuen Wert für „{spec.label}“ an.")
        return ""
    if len(value) > spec.max_length:
        raise InvalidCorrection(f"„{spec.label}“ darf höchstens {spec.max_length} Zeichen lang sein.")
    if spec.kind == "date":
        return _date(value, today)
    if spec.kind == "sex":
        code = SEX_WORDS.get(value.lower(), value.lower())
        if code not in SEXES:
            raise InvalidCorrection("Das Geschlecht ist weiblich, männlich, divers oder ohne Angabe.")
        return code
    if spec.kind == "country":
        if not _COUNTRY.match(value.upper()):
            raise InvalidCorrection(
                "Die Staatsangehörigkeit ist ein Ländercode aus drei Buchstaben (z. B. DEU)."
            )
        return value.upper()
    if spec.kind == "name" and not _NAME.match(value):
        raise InvalidCorrection(f"„{spec.label}“ darf keine Ziffern oder Steuerzeichen enthalten.")
    return value
