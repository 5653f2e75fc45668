"""The file plan (Aktenplan): a hierarchy of numbered entries.

Each level adds one number to its parent's: ``32`` → ``32.10`` → ``32.10.05``. Files are
only kept under entries that allow them (usually the leaves); retention and the archive
decision are set per entry and inherited by entries that set none (OKeVA, Baustein
"Aktenplan"; § 3 BremArchivG for the duty to offer records to the state archive).
"""

from __future__ import annotations

from dataclasses import dataclass

from .aktenzeichen import PLAN_NUMBER

__all__ = [
    "InvalidFilePlanNumber",
    "PlanRules",
    "child_number",
    "effective_rules",
    "parent_number",
    "validate_plan_number",
]

MAX_DEPTH = 6


class InvalidFilePlanNumber(ValueError):
    """A file plan number that is malformed or does not fit under its parent (German message)."""


def validate_plan_number(number: str, *, parent: str | None = None) -> str:
    """``number`` if it is well-formed and one level below ``parent`` (or top-level without one)."""
    if not PLAN_NUMBER.fullmatch(number):
        raise InvalidFilePlanNumber(
            f"Die Aktenplannummer „{number}“ ist ungültig: erwartet bis zu {MAX_DEPTH} Zahlen mit Punkten, "
            "z. B. 32.10.05."
        )
    if parent is None:
        if "." in number:
            raise InvalidFilePlanNumber(
                f"„{number}“ hat Unterebenen; ein Eintrag der obersten Ebene hat nur eine Zahl."
            )
    elif parent_number(number) != parent:
        raise InvalidFilePlanNumber(f"„{number}“ liegt nicht direkt unter dem Eintrag „{parent}“.")
    return number


def parent_number(number: str) -> str | None:
    """The parent's number, or None at the top level."""
    head, dot, _tail = number.rpartition(".")
    return head if dot else None


def child_number(parent: str, part: int) -> str:
    """The number of a child of ``parent`` with the two-digit position ``part``."""
    if not 0 <= part <= 999:
        raise InvalidFilePlanNumber(f"Die Position {part} liegt außerhalb von 0 bis 999.")
    return validate_plan_number(f"{parent}.{part:02d}", parent=parent)


@dataclass(frozen=True)
class PlanRules:
    """The effective rules of an entry after inheritance."""

    retention_years: int
    archive_worthy: bool | None


def effective_rules(chain: list[tuple[int | None, bool | None]]) -> PlanRules:
    """Rules from an entry's chain ``[(retention_years, archive_worthy), …]``, root first.

    The nearest entry that sets a value wins; an unset retention anywhere up the chain is
    an error (every file must have a retention period).
    """
    retention: int | None = None
    archive: bool | None = None
    for years, worthy in chain:
        if years is not None:
            retention = years
        if worthy is not None:
            archive = worthy
    if retention is None:
        raise InvalidFilePlanNumber("Für diesen Aktenplaneintrag ist keine Aufbewahrungsfrist festgelegt.")
    return PlanRules(retention_years=retention, archive_worthy=archive)
