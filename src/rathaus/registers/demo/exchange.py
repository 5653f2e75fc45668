"""Demo data of the once-only exchange: the demo mother's consent and one logged exchange.

The demo mother is the living mother of the youngest child in the demo city (born in Bremen,
registered by the Standesamt Bremen-Mitte). She has consented (§ 25 BEEG) that the registry
office sends her child's birth data to the parental benefit office (Amt für Versorgung und
Integration Bremen), and that office has asked once, so a newcomer who logs in as her sees the
exchange in the Datenschutzcockpit and can withdraw the consent. Needs the demo city and the
directory's offices; a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from rathaus.registers import services
from rathaus.registers.models import BirthRecord, Consent, Person

BASIS_ID = "beeg-25-geburt"
PURPOSE = "Antrag auf Elterngeld: Nachweis der Geburt"


def demo_mother() -> Person | None:
    """The demo citizen of the data cockpit (see the module docstring), or None without residents."""
    birth = (
        BirthRecord.objects.filter(
            mother__date_of_death__isnull=True,
            child__date_of_death__isnull=True,
            registry_office__slug="standesamt-mitte",
        )
        .select_related("mother")
        .order_by("-date", "-id")
        .first()
    )
    return birth.mother if birth else None


def load_demo(*, seed: int, step: Any) -> str:
    mother = demo_mother()
    if mother is None:
        return "Datenaustausch: übersprungen (keine Einwohnerinnen mit Kind im Standesamt Mitte)"
    if Consent.objects.filter(person=mother, basis_id=BASIS_ID).exists():
        return f"Datenaustausch: vorhanden ({mother.full_name}, {mother.register_number})"
    advance = step("Datenaustausch mit Einwilligung", 2)
    try:
        consent = services.consent_give(person_id=mother.pk, basis_id=BASIS_ID, by="rathaus demo")
    except services.ConsentError as error:  # the directory's offices are missing
        return f"Datenaustausch: übersprungen ({error.message})"
    advance(1)
    services.exchange_request(
        requesting_office=consent.to_office,
        person_id=mother.pk,
        fields=["name", "address", "children", "tax_id"],
        purpose=PURPOSE,
        consent_id=consent.pk,
        actor="Elterngeldstelle (Demo)",
    )
    advance(1)
    return (
        f"Datenaustausch: {mother.full_name} ({mother.register_number}) hat eingewilligt; "
        "das Standesamt hat die Geburtsdaten an die Elterngeldstelle übermittelt"
    )
