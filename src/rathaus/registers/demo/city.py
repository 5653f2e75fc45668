"""Build the demo city: offices, employers, staff logins and the resident population."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from rathaus.directory.services import office_upsert
from rathaus.directory.types import Office
from rathaus.domain.registers.leitweg_id import leitweg_id_build
from rathaus.registers.models import Employer

from .data import load
from .loader import LoadResult, Progress, load_residents

logger = logging.getLogger(__name__)

# Published in the docs and printed by ``rathaus demo_logins``: demo only, never for real use.
DEMO_STAFF_PASSWORD = "Rathaus-Demo-2026!"  # noqa: S105
DEMO_TOTP_SECRET = "RATHAUSDEMOTOTP2BREMENHB"  # base32 (RFC 4648), 120 bit  # noqa: S105

# Bremen's Leitweg-IDs start with the Land's key "04"; 04011000 is the municipality key of
# the city of Bremen. The fine addressing per office is invented for the demo.
_CITY = "04011000"


@dataclass(frozen=True)
class DemoOffice:
    slug: str
    name: str
    short_name: str
    kind: str
    street_address: str
    postal_code: str
    fine: str | None  # Feinadressierung of the Leitweg-ID, or None for no e-invoice address
    parent: str | None = None


DEMO_OFFICES: tuple[DemoOffice, ...] = (
    DemoOffice("senator-finanzen", "Die Senatorin für Finanzen", "SF", Office.Kind.SENATE_DEPARTMENT,
               "Rudolf-Hilferding-Platz 1", "28195", "10001"),
    DemoOffice("finanzamt-bremen", "Finanzamt Bremen", "FA HB", Office.Kind.TAX_OFFICE,
               "Rudolf-Hilferding-Platz 1", "28195", "10002", parent="senator-finanzen"),
    DemoOffice("buergeramt-mitte", "Bürgeramt Mitte", "BA Mitte", Office.Kind.CITIZENS_OFFICE,
               "Pelzerstraße 40", "28195", "20001"),
    DemoOffice("standesamt-mitte", "Standesamt Bremen-Mitte", "StA Mitte", Office.Kind.REGISTRY_OFFICE,
               "Hollerallee 79", "28209", "20002"),
    DemoOffice("standesamt-nord", "Standesamt Bremen-Nord", "StA Nord", Office.Kind.REGISTRY_OFFICE,
               "Gerhard-Rohlfs-Straße 62", "28757", "20003"),
    DemoOffice("ordnungsamt", "Ordnungsamt Bremen", "OA", Office.Kind.AUTHORITY,
               "Stresemannstraße 48", "28207", "20004"),
    DemoOffice("amt-soziale-dienste", "Amt für Soziale Dienste", "AfSD", Office.Kind.AUTHORITY,
               "Rembertiring 39", "28195", "30001"),
    DemoOffice("landesarchiv", "Staatsarchiv Bremen (Landesarchiv)", "StAB", Office.Kind.ARCHIVE,
               "Am Staatsarchiv 1", "28203", "40001"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    office: str
    role: str


DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("buergeramt", "Frauke Tietjen", "buergeramt-mitte", "sachbearbeitung"),
    DemoStaff("standesamt", "Jan Hinrichs", "standesamt-mitte", "sachbearbeitung"),
    # The second pair of eyes for corrections of the civil status register.
    DemoStaff("standesamt2", "Gesche Meyerdierks", "standesamt-mitte", "sachbearbeitung"),
    DemoStaff("finanzamt", "Ayşe Demir", "finanzamt-bremen", "sachbearbeitung"),
    DemoStaff("erechnung", "Malte Brüning", "senator-finanzen", "sachbearbeitung"),
    # The second pair of eyes for e-invoices (sachlich/rechnerisch richtig by different people).
    DemoStaff("erechnung2", "Wiebke Osterloh", "senator-finanzen", "sachbearbeitung"),
    DemoStaff("leitung", "Heike Gröning", "buergeramt-mitte", "leitung"),
    # The trade office (Gewerbeamt) in the Ordnungsamt: online Gewerbeanmeldungen, their
    # requests for missing documents and decisions (docs/eforms.md).
    DemoStaff("gewerbeamt", "Tomke Ahlers", "ordnungsamt", "sachbearbeitung"),
)


def demo_offices_ensure() -> dict[str, Office]:
    """Create or update the demo offices; returns them by slug."""
    offices: dict[str, Office] = {}
    for spec in DEMO_OFFICES:
        offices[spec.slug] = office_upsert(
            slug=spec.slug,
            name=spec.name,
            short_name=spec.short_name,
            kind=spec.kind,
            parent=offices.get(spec.parent) if spec.parent else None,
            email=f"{spec.slug}@rathaus.example",
            phone="",
            street_address=spec.street_address,
            postal_code=spec.postal_code,
            leitweg_id=leitweg_id_build(_CITY, spec.fine) if spec.fine else None,
            by="rathaus demo",
        )
    return offices


# Which office keeps which register (registers.ownership): the Bürgeramt the residents' register,
# the registry offices the civil status register.
DEMO_REGISTER_OFFICES: tuple[tuple[str, str], ...] = (
    ("residents", "buergeramt-mitte"),
    ("civil_status", "standesamt-mitte"),
    ("civil_status", "standesamt-nord"),
)


def demo_register_offices_ensure(offices: dict[str, Office]) -> None:
    """Record the offices keeping the registers (idempotent)."""
    from rathaus.registers.ownership import register_office_set

    for register, slug in DEMO_REGISTER_OFFICES:
        register_office_set(register=register, office=offices[slug], by="rathaus demo")


@transaction.atomic
def demo_employers_ensure() -> tuple[int, ...]:
    """The employers of data/employers.csv, created once; their ids in file order."""
    ids = []
    for employer in load().employers:
        row, _created = Employer.objects.get_or_create(name=employer.name, defaults={"city": employer.city})
        ids.append(row.pk)
    return tuple(ids)


def demo_staff_ensure(offices: dict[str, Office]) -> list[str]:
    """Create the demo staff logins that do not exist yet; returns the usernames created."""
    from rathaus.accounts.services import staff_user_create
    from rathaus.accounts.types import User

    created = []
    for staff in DEMO_STAFF:
        if User.objects.filter(username=staff.username).exists():
            continue
        staff_user_create(
            username=staff.username,
            full_name=staff.full_name,
            password=DEMO_STAFF_PASSWORD,
            office=offices[staff.office],
            role=staff.role,
            totp_secret=DEMO_TOTP_SECRET,
        )
        created.append(staff.username)
    return created


def build_demo_city(
    *,
    residents: int,
    seed: int,
    reference_date: date,
    batch_residents: int = 10_000,
    with_staff: bool = True,
    progress: Progress | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> LoadResult:
    """Offices, employers, (optionally) staff logins, then ``residents`` residents."""
    say = on_phase or (lambda _text: None)
    say("Dienststellen")
    offices = demo_offices_ensure()
    demo_register_offices_ensure(offices)
    say("Arbeitgeber")
    employer_ids = demo_employers_ensure()
    if with_staff:
        say("Beschäftigte")
        demo_staff_ensure(offices)
    say("Einwohnerinnen und Einwohner")
    return load_residents(
        residents=residents,
        seed=seed,
        reference_date=reference_date,
        registry_office_ids=(offices["standesamt-mitte"].pk, offices["standesamt-nord"].pk),
        employer_ids=employer_ids,
        batch_residents=batch_residents,
        progress=progress,
    )
