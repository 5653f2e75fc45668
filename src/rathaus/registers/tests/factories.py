"""Test data for the data exchange: the offices of the consent templates and a young family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rathaus.directory.models import Office
from rathaus.registers.models import Address, BirthRecord, Household, Person


@dataclass
class ExchangeWorld:
    standesamt: Office
    elterngeldstelle: Office
    familienkasse: Office
    finanzamt: Office
    buergeramt: Office
    mother: Person
    child: Person


def exchange_world(suffix: str = "") -> ExchangeWorld:
    """Offices named as in the catalogue's consent templates, and Maren Ahlers with her son Jonte."""

    def office(slug: str, name: str, kind: str) -> Office:
        return Office.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})[0]

    standesamt = office("standesamt-mitte", "Standesamt Bremen-Mitte", Office.Kind.REGISTRY_OFFICE)
    address = Address.objects.create(street="Am Wall", house_number=f"1{suffix}", postal_code="28195")
    household = Household.objects.create(address=address)
    mother = Person.objects.create(
        register_number=f"HBX1{suffix}", family_name="Ahlers", given_names="Maren", sex="w",
        date_of_birth=date(1992, 3, 4), place_of_birth="Bremen", address=address, household=household,
        tax_id=None,
    )  # fmt: skip
    child = Person.objects.create(
        register_number=f"HBX2{suffix}", family_name="Ahlers", given_names="Jonte", sex="m",
        date_of_birth=date(2025, 11, 20), place_of_birth="Bremen", address=address, household=household,
    )  # fmt: skip
    BirthRecord.objects.create(
        child=child, mother=mother, date=child.date_of_birth, place="Bremen", registry_office=standesamt,
        record_number=f"G 1/2025{suffix}",
    )  # fmt: skip
    return ExchangeWorld(
        standesamt=standesamt,
        elterngeldstelle=office(
            "amt-versorgung-integration", "Amt für Versorgung und Integration Bremen", Office.Kind.AUTHORITY
        ),
        familienkasse=office("familienkasse", "Familienkasse Bremen", Office.Kind.OTHER),
        finanzamt=office("finanzamt-bremen", "Finanzamt Bremen", Office.Kind.TAX_OFFICE),
        buergeramt=office("buergeramt-mitte", "Bürgeramt Mitte", Office.Kind.CITIZENS_OFFICE),
        mother=mother,
        child=child,
    )
