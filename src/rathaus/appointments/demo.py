"""Demo part of ``rathaus demo``: planning for the three Bürgerämter and two Standesämter, their
slots, a few bookings and walk-ins waiting today (so the desk and the call display have
something to show).

Services are looked up by LeiKa key in the directory and created with just key and name
where the directory's catalogue is not loaded. Besides the offers listed here, a planned office
offers online every service the directory names it responsible for and marks "mit Termin", so
that every "Termin online buchen" link of the portal leads to free times.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office, Service
from rathaus.kernel import audit

from . import selectors, services, tokens
from .models import Appointment, OfferedService, OfficePlan

T = datetime.time
SERVICES = {
    "99102013000000": "Personalausweis beantragen",
    "99102019000000": "Reisepass beantragen",
    "99102023000000": "Verlust oder Diebstahl eines Ausweises melden",
    "99144001000000": "Führungszeugnis beantragen",
}
CERTIFY = ("99012001000000", "Kopien und Unterschriften amtlich beglaubigen lassen")

BUERGERAMT_OFFERS = [
    ("99102013000000", 15, 5),
    ("99102019000000", 15, 5),
    ("99102023000000", 10, 0),
    ("99144001000000", 10, 0),
    (CERTIFY[0], 10, 0),
]
# office slug: (counters, weekly hours, offers as (leika key, minutes, buffer))
PLANS: dict[str, tuple[int, list[tuple[int, T, T]], list[tuple[str, int, int]]]] = {
    "buergeramt-mitte": (
        3,
        [(d, T(8, 0), T(12, 0)) for d in range(5)] + [(1, T(14, 0), T(18, 0)), (3, T(14, 0), T(18, 0))],
        BUERGERAMT_OFFERS,
    ),
    "buergeramt-nord": (
        2,
        [(d, T(8, 0), T(12, 0)) for d in range(5)] + [(3, T(14, 0), T(18, 0))],
        BUERGERAMT_OFFERS,
    ),
    "buergeramt-ost": (
        2,
        [(d, T(8, 0), T(12, 0)) for d in range(5)] + [(1, T(14, 0), T(18, 0))],
        BUERGERAMT_OFFERS,
    ),
    "standesamt-mitte": (2, [(d, T(9, 0), T(12, 0)) for d in (0, 2, 4)], [(CERTIFY[0], 10, 0)]),
    "standesamt-nord": (1, [(d, T(8, 0), T(12, 0)) for d in (1, 3)], [(CERTIFY[0], 10, 0)]),
}
# Time at the counter of the directory's services "mit Termin" (LeiKa key: minutes); others 15.
DIRECTORY_MINUTES = {
    "99105003000000": 30,  # Vaterschaft anerkennen
    "99105005000000": 30,  # Namen des Kindes bestimmen
    "99105014000000": 45,  # Eheschließung anmelden
    "99105015000000": 30,  # Trautermin vereinbaren
    "99105017000000": 30,  # Ehenamen bestimmen oder ändern
    "99115002000000": 10,  # Wohnsitz abmelden
    "99144002000000": 10,  # Erweitertes Führungszeugnis beantragen
    "99050019000000": 10,  # Auskunft aus dem Gewerbezentralregister
}
DEMO_BOOKINGS = 6
DEMO = audit.Actor.system("rathaus demo")
DEMO_WALK_INS = 3


def _service(key: str, name: str) -> Service:
    service, _ = Service.objects.get_or_create(leika_key=key, defaults={"name": name})
    return service


def load_demo(*, seed: int, step: Any) -> str:
    """Create the planning where missing, top up slots, book a few demo appointments once."""
    offices = {o.slug: o for o in directory_selectors.office_list().filter(slug__in=PLANS)}
    if not offices:
        return "Terminvergabe: keine Dienststellen – übersprungen."
    all_services = {**SERVICES, CERTIFY[0]: CERTIFY[1]}
    created_plans = 0
    advance = step("Terminvergabe: Zeiteinheiten", len(offices))
    slots = 0
    for slug, office in offices.items():
        counters, hours, offers = PLANS[slug]
        if not OfficePlan.objects.filter(office=office).exists():
            with transaction.atomic():
                services.plan_upsert(office=office, by=DEMO, release_days=28, release_time=T(8, 0))
                for number in range(1, counters + 1):
                    services.counter_ensure(office=office, name=f"Schalter {number}", by=DEMO)
                services.opening_hours_set(office=office, hours=hours, by=DEMO)
                for key, minutes, buffer in offers:
                    services.offer_upsert(
                        office=office,
                        service=_service(key, all_services[key]),
                        duration_minutes=minutes,
                        buffer_minutes=buffer,
                        by=DEMO,
                    )
            created_plans += 1
        _offer_directory_services(office)
        slots += services.slots_generate(office=office)
        advance(1)
    booked = _demo_bookings(offices.get("buergeramt-mitte"))
    return (
        f"Terminvergabe: {created_plans} Dienststellen neu geplant, {slots} Zeiteinheiten geprüft, "
        f"{booked} Demo-Termine gebucht."
    )


def _offer_directory_services(office: Office) -> None:
    """Offer online what the directory says this office does by appointment (where not yet offered)."""
    offered = set(OfferedService.objects.filter(office=office).values_list("service_id", flat=True))
    for service in Service.objects.filter(offices=office, by_appointment=True).exclude(pk__in=offered):
        services.offer_upsert(
            office=office,
            service=service,
            duration_minutes=DIRECTORY_MINUTES.get(service.leika_key, 15),
            by=DEMO,
        )


def _demo_bookings(office: Office | None) -> int:
    if office is None or Appointment.objects.filter(office=office, email__endswith="@example.org").exists():
        return 0
    personalausweis = Service.objects.get(leika_key="99102013000000")
    free = selectors.availability(office=office, services=[personalausweis], limit=DEMO_BOOKINGS * 3)
    booked = 0
    for index, slot in enumerate(free[::3][:DEMO_BOOKINGS]):
        appointment, _token = services.appointment_reserve(
            office=office, services=[personalausweis], start=slot.start, origin=""
        )
        services.appointment_preconfirm(
            appointment=appointment, name=f"Demo Person {index + 1}", email=f"demo{index + 1}@example.org"
        )
        appointment.refresh_from_db()
        services.appointment_verify(token=tokens.verify_token(appointment))
        booked += 1
    today = timezone.localdate()
    if not Appointment.objects.filter(
        office=office, kind=Appointment.Kind.WALK_IN, created_at__date=today
    ).exists():
        for _ in range(DEMO_WALK_INS):
            services.walk_in_create(office=office, services=[personalausweis], by=DEMO)
    return booked
