"""Reads for the register offices' staff pages: the offices a member of staff keeps registers
in, a person's change history, and the corrections awaiting a decision. Personal data of the
person page itself is read through ``selectors.register_entry_read`` (audit-logged with purpose)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.registers.corrections import CORRECTABLE

from .models import Person
from .models_changes import Correction, RegisterChange, RegisterOffice

__all__ = [
    "KeptRegisters",
    "correctable_choices",
    "corrections_of",
    "corrections_pending",
    "kept_registers",
    "person_history",
    "person_id_by_register_number",
]

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class KeptRegisters:
    """The offices in which a member of staff works that keep a register, and which registers."""

    offices: tuple[Office, ...]
    registers: frozenset[str]

    @property
    def office_ids(self) -> tuple[int, ...]:
        return tuple(office.pk for office in self.offices)

    def keeps(self, register: str) -> bool:
        return register in self.registers


def kept_registers(user: Any) -> KeptRegisters:
    if not isinstance(user, User):
        return KeptRegisters(offices=(), registers=frozenset())
    rows = RegisterOffice.objects.filter(
        office__in=account_selectors.working_offices(user).values("pk")
    ).select_related("office")
    offices: dict[int, Office] = {}
    registers: set[str] = set()
    for row in rows:
        offices[row.office_id] = row.office
        registers.add(row.register)
    return KeptRegisters(
        offices=tuple(sorted(offices.values(), key=lambda office: office.name)),
        registers=frozenset(registers),
    )


def correctable_choices(registers: frozenset[str]) -> list[tuple[str, str]]:
    """(field, German label) of the fields the given registers let staff correct."""
    return [(spec.field, spec.label) for spec in CORRECTABLE.values() if spec.register in registers]


def person_history(*, person_id: int) -> list[RegisterChange]:
    """The person's register changes, newest first (at most ``HISTORY_LIMIT``)."""
    return list(
        RegisterChange.objects.filter(person_id=person_id)
        .select_related("office")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )


def corrections_of(*, person_id: int) -> list[Correction]:
    return list(
        Correction.objects.filter(person_id=person_id)
        .select_related("office")
        .order_by("-proposed_at", "-pk")
    )


def corrections_pending(*, office_ids: tuple[int, ...]) -> list[Correction]:
    """The corrections of these offices awaiting a second person, oldest first."""
    return list(
        Correction.objects.filter(office_id__in=office_ids, status=Correction.Status.PENDING)
        .select_related("office", "person")
        .order_by("proposed_at", "pk")
    )


def person_id_by_register_number(register_number: str) -> int | None:
    return (
        Person.objects.filter(register_number=register_number.strip().upper())
        .values_list("pk", flat=True)
        .first()
    )
