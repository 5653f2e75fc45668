"""Data minimisation (Art. 5 Abs. 1 Buchst. c DSGVO): of the fields an office asks for, a
register releases only those whose data category the legal basis (and, where it needs one,
the person's consent) covers; every other field is withheld with the reason why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .catalogue import CATEGORIES, FIELDS, LegalBasis

UNKNOWN_FIELD = "unknown_field"
NOT_COVERED = "not_covered"


@dataclass(frozen=True)
class Withheld:
    field: str
    code: str
    reason: str


@dataclass(frozen=True)
class Release:
    released: tuple[str, ...]
    withheld: tuple[Withheld, ...]

    @property
    def released_categories(self) -> tuple[str, ...]:
        """The categories of the released fields, in catalogue order."""
        used = {FIELDS[field] for field in self.released}
        return tuple(category for category in CATEGORIES if category in used)


def permitted_categories(
    basis: LegalBasis, consent_categories: Iterable[str] | None = None
) -> frozenset[str]:
    """The categories an exchange may release: the basis's, narrowed to the consent's when
    the basis needs one (a consent never widens what the law allows)."""
    if consent_categories is None:
        return frozenset() if basis.consent_required else basis.categories
    return basis.categories & frozenset(consent_categories)


def minimise(*, requested: Iterable[str], permitted: frozenset[str], covered_by: str) -> Release:
    """Split ``requested`` (order kept, duplicates dropped) into released and withheld fields.

    ``covered_by`` names the basis or consent in the reasons ("§ 34 Abs. 1 BMG").
    """
    released: list[str] = []
    withheld: list[Withheld] = []
    for field in dict.fromkeys(requested):
        category = FIELDS.get(field)
        if category is None:
            withheld.append(Withheld(field, UNKNOWN_FIELD, "Dieses Datenfeld führt das Register nicht."))
        elif category in permitted:
            released.append(field)
        else:
            reason = f"Die Kategorie „{CATEGORIES[category]}“ ist von {covered_by} nicht gedeckt."
            withheld.append(Withheld(field, NOT_COVERED, reason))
    return Release(released=tuple(released), withheld=tuple(withheld))
