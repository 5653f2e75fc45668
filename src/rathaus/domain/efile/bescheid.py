"""The parts a written Bescheid (Verwaltungsakt) must contain, as plain data.

- § 37 Abs. 3 Satz 1 VwVfG: a written administrative act must name the issuing authority and
  carry the signature or the name of the head of the authority, a representative or an
  appointed officer.
- § 58 Abs. 1 VwGO: the time limit for a legal remedy only runs if the addressee was told in
  writing about the remedy, the authority where it is lodged (with its seat) and the time
  limit; otherwise it is one year (§ 58 Abs. 2 VwGO).
- § 70 Abs. 1 VwGO: a Widerspruch is lodged within one month after notification, in writing,
  in electronic form (§ 3a Abs. 2 VwVfG) or for the record at the authority.

Rendering (PDF) is not done here; this module decides what must be on the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

MAX_BODY_CHARS = 20_000


class InvalidBescheid(ValueError):
    """A Bescheid that would lack a part the law requires (German message)."""


@dataclass(frozen=True)
class Bescheid:
    authority: str
    authority_address: str
    aktenzeichen: str
    issued_on: datetime.date
    title: str
    body: str
    officer: str
    addressee: tuple[str, ...] = ()
    with_remedy_notice: bool = True

    def __post_init__(self) -> None:
        if not self.authority.strip():
            raise InvalidBescheid("Ein Bescheid muss die erlassende Behörde nennen (§ 37 Abs. 3 VwVfG).")
        if not self.officer.strip():
            raise InvalidBescheid(
                "Ein Bescheid muss die Unterschrift oder den Namen der bearbeitenden Person "
                "enthalten (§ 37 Abs. 3 VwVfG)."
            )
        if not self.title.strip():
            raise InvalidBescheid("Bitte geben Sie einen Betreff für den Bescheid an.")
        if not self.body.strip():
            raise InvalidBescheid("Bitte geben Sie den Text des Bescheids an (Entscheidung und Begründung).")
        if len(self.body) > MAX_BODY_CHARS:
            raise InvalidBescheid(f"Der Text ist zu lang (höchstens {MAX_BODY_CHARS} Zeichen).")


def remedy_notice(*, authority: str, authority_address: str) -> str:
    """The Rechtsbehelfsbelehrung for a Widerspruch (§ 58 Abs. 1, § 70 Abs. 1 VwGO)."""
    seat = f", {authority_address.strip()}" if authority_address.strip() else ""
    return (
        "Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben "
        f"werden. Der Widerspruch ist schriftlich, in elektronischer Form nach § 3a Abs. 2 VwVfG "
        f"oder zur Niederschrift bei {authority.strip()}{seat} einzulegen."
    )


def signature_line(officer: str) -> str:
    """The officer's name in place of a handwritten signature (§ 37 Abs. 3 VwVfG)."""
    return f"Im Auftrag\n{officer.strip()}"


def format_date(day: datetime.date) -> str:
    """German long date, e.g. "5. März 2026"."""
    months = (
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    )  # fmt: skip
    return f"{day.day}. {months[day.month - 1]} {day.year}"
