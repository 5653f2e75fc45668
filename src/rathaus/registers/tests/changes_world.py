"""Test data for register changes: the family of ``exchange_world``, the offices keeping the
registers and their staff (two per office, for four eyes), and a clerk of another office."""

from __future__ import annotations

from dataclasses import dataclass

from rathaus.accounts.models import StaffRole, User
from rathaus.directory.models import Office
from rathaus.registers.models import Register
from rathaus.registers.ownership import register_office_set

from .factories import ExchangeWorld, exchange_world


@dataclass
class ChangesWorld:
    family: ExchangeWorld
    clerk: User  # Bürgeramt (residents' register)
    clerk2: User
    registrar: User  # Standesamt (civil status register)
    registrar2: User
    tax_clerk: User  # Finanzamt: keeps no register


def staff(username: str, office: Office, role: str = StaffRole.Role.SACHBEARBEITUNG) -> User:
    user = User.objects.create_user(
        username=username, kind=User.Kind.STAFF, first_name=username.title(), last_name="Test"
    )
    StaffRole.objects.create(user=user, office=office, role=role)
    return user


def changes_world() -> ChangesWorld:
    family = exchange_world()
    register_office_set(register=Register.RESIDENTS, office=family.buergeramt, by="test")
    register_office_set(register=Register.CIVIL_STATUS, office=family.standesamt, by="test")
    return ChangesWorld(
        family=family,
        clerk=staff("meldung1", family.buergeramt),
        clerk2=staff("meldung2", family.buergeramt, StaffRole.Role.LEITUNG),
        registrar=staff("standes1", family.standesamt),
        registrar2=staff("standes2", family.standesamt),
        tax_clerk=staff("steuer1", family.finanzamt),
    )
