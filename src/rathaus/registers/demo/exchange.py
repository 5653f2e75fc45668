"""Demo data of the once-only exchange: the demo mother's consent and one logged exchange.

The demo mother is the living mother of the youngest child in the demo city (born in Bremen,
registered by the Standesamt Bremen-Mitte). She has consented (§ 25 BEEG) that the registry
office sends her child's birth data to the parental benefit office (Amt für Versorgung und
Integration Bremen), and that office has asked once, so a newcomer who logs in as her sees the
exchange in the Datenschutzcockpit and can withdraw the consent. The child's birth is emitted as the
registry office's event, so the background worker puts the proactive offers of a birth
(Kindergeld, Elterngeld) into her account. The Bürgeramt Mitte has also asked the civil status
register about her under § 65 PStG, a request that waits for a clerk of the Standesamt (demo
login ``standesamt``, ``/register/anfragen/``). Needs the demo city and the directory's offices;
a second run changes nothing.
"""

from __future__ import annotations

from typing import Any

from rathaus.directory import selectors as directory_selectors
from rathaus.domain.onceonly.offers import EventKind
from rathaus.registers import services
from rathaus.registers.events import event_record
from rathaus.registers.models import BirthRecord, Consent, Person

BASIS_ID = "beeg-25-geburt"
PURPOSE = "Antrag auf Elterngeld: Nachweis der Geburt"


def _demo_birth() -> BirthRecord | None:
    return (
        BirthRecord.objects.filter(
            mother__date_of_death__isnull=True,
            child__date_of_death__isnull=True,
            registry_office__slug="standesamt-mitte",
        )
        .select_related("mother")
        .order_by("-date", "-id")
        .first()
    )


def demo_mother() -> Person | None:
    """The demo citizen of the data cockpit (see the module docstring), or None without residents."""
    birth = _demo_birth()
    return birth.mother if birth else None


def _birth_event() -> None:
    """The demo child's birth as the registry office's entry emits it (keyed: emitted once)."""
    birth = _demo_birth()
    if birth is not None:
        event_record(
            kind=EventKind.BIRTH_REGISTERED,
            person=birth.child,
            occurred_on=birth.date,
            key=f"birth_registered:{birth.pk}",
            payload={"birth_record": birth.pk},
        )


def load_demo(*, seed: int, step: Any) -> str:
    mother = demo_mother()
    if mother is None:
        return "Datenaustausch: übersprungen (keine Einwohnerinnen mit Kind im Standesamt Mitte)"
    if Consent.objects.filter(person=mother, basis_id=BASIS_ID).exists():
        _birth_event()  # a demo database from before the events: emitted now, once
        return f"Datenaustausch: vorhanden ({mother.full_name}, {mother.register_number})"
    advance = step("Datenaustausch mit Einwilligung", 3)
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
    _birth_event()
    advance(1)
    waiting = _pending_request(mother)
    return (
        f"Datenaustausch: {mother.full_name} ({mother.register_number}) hat eingewilligt; "
        "das Standesamt hat die Geburtsdaten an die Elterngeldstelle übermittelt; "
        "die Geburt ist als Ereignis gemeldet (Angebote: Kindergeld, Elterngeld)"
        + ("; eine Anfrage des Bürgeramts wartet auf das Standesamt" if waiting else "")
    )


def _pending_request(mother: Person) -> bool:
    """A § 65 PStG request of the Bürgeramt Mitte about the demo mother, waiting for the
    Standesamt's decision (the staff view's queue); False without the Bürgeramt."""
    office = directory_selectors.office_by_slug(slug="buergeramt-mitte")
    if office is None:
        return False
    services.exchange_request(
        requesting_office=office,
        person_id=mother.pk,
        fields=["name", "date_of_birth", "marital_status", "address"],
        purpose="Prüfung eines Antrags auf Namensänderung",
        legal_basis_id="pstg-65-behoerden",
        actor="Bürgeramt Mitte (Demo)",
    )
    return True
