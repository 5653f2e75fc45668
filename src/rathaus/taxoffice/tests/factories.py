"""Test helpers: a tax office with a clerk, residents with citizen accounts, returns."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from rathaus.accounts import services as account_services
from rathaus.accounts.types import User
from rathaus.directory.models import Office
from rathaus.registers.models import Person
from rathaus.taxoffice import services
from rathaus.taxoffice.models import TaxReturn

PASSWORD = "Finanzamt-Test-2026!"  # noqa: S105
_numbers = itertools.count(1)


@dataclass
class World:
    office: Office
    clerk: User
    other_office: Office
    other_clerk: User


def world() -> World:
    office = Office.objects.create(
        slug="finanzamt-bremen", name="Finanzamt Bremen", kind=Office.Kind.TAX_OFFICE
    )
    other = Office.objects.create(
        slug="buergeramt-mitte", name="Bürgeramt Mitte", kind=Office.Kind.CITIZENS_OFFICE
    )
    clerk = account_services.staff_user_create(
        username="fa-clerk", full_name="Ayşe Demir", password=PASSWORD, office=office, role="sachbearbeitung"
    )
    other_clerk = account_services.staff_user_create(
        username="ba-clerk",
        full_name="Frauke Tietjen",
        password=PASSWORD,
        office=other,
        role="sachbearbeitung",
    )
    return World(office=office, clerk=clerk, other_office=other, other_clerk=other_clerk)


def person(family_name: str = "Winter", given_names: str = "Frieda") -> Person:
    return Person.objects.create(
        register_number=f"HBT{next(_numbers):09d}",
        family_name=family_name,
        given_names=given_names,
        date_of_birth=dt.date(1955, 3, 1),
        sex="w",
    )


def citizen(family_name: str = "Winter", given_names: str = "Frieda") -> User:
    return account_services.citizen_account_for_person(person=person(family_name, given_names))


def tax_return(
    office: Office, owner: Person, *, year: int = 2025, received_on: dt.date | None = None
) -> TaxReturn:
    return services.tax_return_receive(
        person=owner, office=office, tax_year=year, received_on=received_on or dt.date(2026, 5, 4), by="test"
    )


def assessed(office: Office, *, received_on: dt.date, assessed_on: dt.date) -> TaxReturn:
    """A return whose assessment was sent on ``assessed_on`` (rows as the service leaves them)."""
    row = tax_return(office, person("Bescheid", "Bea"), received_on=received_on)
    TaxReturn.objects.filter(pk=row.pk).update(
        status=TaxReturn.Status.ASSESSMENT_SENT, assessed_on=assessed_on
    )
    return row
