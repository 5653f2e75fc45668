"""The Aktenzeichen (file reference): office code, file plan number, year and serial.

Format: ``<office code> <file plan number>-<year>/<serial>``, e.g. ``D017 32.10.05-2026/0042``.
The file plan number is the entry's dotted position in the Aktenplan (OKeVA, Baustein
"Aktenplan": the Aktenzeichen is derived from the file plan); the year is the year the file
was opened; the serial counts the files opened under that entry in that office and year,
written with at least four digits. The office code keeps references from different offices
that share a city-wide file plan apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Aktenzeichen",
    "InvalidAktenzeichen",
    "format_aktenzeichen",
    "office_code_for",
    "parse_aktenzeichen",
]

OFFICE_CODE = re.compile(r"[A-Z][A-Z0-9]{0,9}")
PLAN_NUMBER = re.compile(r"\d{1,3}(?:\.\d{1,3}){0,5}")
_FULL = re.compile(
    r"(?P<office>[A-Z][A-Z0-9]{0,9}) (?P<plan>\d{1,3}(?:\.\d{1,3}){0,5})-(?P<year>\d{4})/(?P<serial>\d{4,6})"
)
MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_SERIAL = 999_999


class InvalidAktenzeichen(ValueError):
    """The text is not an Aktenzeichen, or its parts are out of range (message in German)."""


@dataclass(frozen=True, order=True)
class Aktenzeichen:
    office_code: str
    plan_number: str
    year: int
    serial: int

    def __post_init__(self) -> None:
        if not OFFICE_CODE.fullmatch(self.office_code):
            raise InvalidAktenzeichen(
                f"Das Dienststellenkürzel „{self.office_code}“ ist ungültig: erwartet ein Großbuchstabe, "
                "dann bis zu neun Großbuchstaben oder Ziffern."
            )
        if not PLAN_NUMBER.fullmatch(self.plan_number):
            raise InvalidAktenzeichen(
                f"Die Aktenplannummer „{self.plan_number}“ ist ungültig: erwartet Zahlen mit Punkten, "
                "z. B. 32.10.05."
            )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise InvalidAktenzeichen(f"Das Jahr {self.year} liegt außerhalb von {MIN_YEAR} bis {MAX_YEAR}.")
        if not 1 <= self.serial <= MAX_SERIAL:
            raise InvalidAktenzeichen(
                f"Die laufende Nummer {self.serial} liegt außerhalb von 1 bis {MAX_SERIAL}."
            )

    def __str__(self) -> str:
        return format_aktenzeichen(self)


def format_aktenzeichen(reference: Aktenzeichen) -> str:
    """The canonical text form, serial zero-padded to four digits."""
    return f"{reference.office_code} {reference.plan_number}-{reference.year}/{reference.serial:04d}"


def parse_aktenzeichen(text: str) -> Aktenzeichen:
    """Parse the canonical form; surrounding blanks and repeated inner blanks are tolerated."""
    cleaned = " ".join(str(text).split()).upper()
    match = _FULL.fullmatch(cleaned)
    if match is None:
        raise InvalidAktenzeichen(
            f"„{str(text).strip()[:60]}“ ist kein gültiges Aktenzeichen. "
            "Erwartet z. B. „D017 32.10.05-2026/0042“."
        )
    return Aktenzeichen(
        office_code=match["office"],
        plan_number=match["plan"],
        year=int(match["year"]),
        serial=int(match["serial"]),
    )


def office_code_for(office_id: int) -> str:
    """The office code used in references: "D" and the office's number, e.g. ``D017``."""
    if office_id < 1 or office_id > 999_999_999:
        raise InvalidAktenzeichen(f"Die Dienststellennummer {office_id} ist ungültig.")
    return f"D{office_id:03d}"
