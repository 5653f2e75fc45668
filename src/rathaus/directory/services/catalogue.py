"""The catalogue format ``rathaus.directory/1`` (documented in docs/portal.md) and its export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.utils import timezone

from ..models import LifeSituation, LifeSituationService, Office, Publication, Service

FORMAT = "rathaus.directory/1"
DATA_DIR = Path(__file__).resolve().parent.parent / "data"

OFFICE_FIELDS = (
    "name", "short_name", "kind", "email", "phone", "street_address", "postal_code", "city", "website",
    "description", "reachable_by_115", "contact_form", "step_free_access", "accessible_toilet",
    "hearing_loop", "accessibility_notes", "public_transport",
)  # fmt: skip
SERVICE_FIELDS = (
    "name", "summary", "description", "eligibility", "documents", "fees", "processing_time", "deadlines",
    "legal_basis", "keywords", "online_url", "by_appointment", "in_person", "popularity",
)  # fmt: skip
LIFE_SITUATION_FIELDS = ("name", "summary", "description", "position")


def catalogue_load_files(directory: Path = DATA_DIR) -> dict[str, Any]:
    """The reviewed data files of the repository as one import document."""
    document: dict[str, Any] = {"format": FORMAT, "offices": [], "services": [], "life_situations": []}
    document["offices"] = json.loads((directory / "offices.json").read_text(encoding="utf-8"))["offices"]
    for path in sorted((directory / "services").glob("*.json")):
        document["services"].extend(json.loads(path.read_text(encoding="utf-8"))["services"])
    document["life_situations"] = json.loads(
        (directory / "life_situations.json").read_text(encoding="utf-8")
    )["life_situations"]
    return document


def catalogue_export(*, only_published: bool = False) -> dict[str, Any]:
    """All offices, services and life situations in the import format."""
    offices = Office.objects.select_related("parent").prefetch_related("opening_hours", "opening_exceptions")
    services = Service.objects.prefetch_related("offices").order_by("leika_key")
    situations = LifeSituation.objects.all()
    if only_published:
        offices = offices.filter(status=Publication.Status.PUBLISHED)
        services = services.filter(status=Publication.Status.PUBLISHED)
        situations = situations.filter(status=Publication.Status.PUBLISHED)
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "offices": [_export_office(office) for office in _parents_first(list(offices))],
        "services": [_export_service(service) for service in services],
        "life_situations": [_export_life_situation(situation) for situation in situations],
    }


def _parents_first(offices: list[Office]) -> list[Office]:
    by_slug = {o.slug: o for o in offices}
    done: dict[str, Office] = {}

    def visit(office: Office) -> None:
        if office.slug in done:
            return
        if office.parent is not None and office.parent.slug in by_slug:
            visit(by_slug[office.parent.slug])
        done[office.slug] = office

    for office in sorted(offices, key=lambda o: o.slug):
        visit(office)
    return list(done.values())


def _export_office(office: Office) -> dict[str, Any]:
    return {
        "slug": office.slug,
        "status": office.status,
        **{name: getattr(office, name) for name in OFFICE_FIELDS},
        "parent": office.parent.slug if office.parent else None,
        "leitweg_id": office.leitweg_id,
        "latitude": float(office.latitude) if office.latitude is not None else None,
        "longitude": float(office.longitude) if office.longitude is not None else None,
        "opening_hours": [
            {"weekday": h.weekday, "opens": f"{h.opens:%H:%M}", "closes": f"{h.closes:%H:%M}", "note": h.note}
            for h in office.opening_hours.all()
        ],
        "exceptions": [
            {"day": e.day.isoformat(), "opens": f"{e.opens:%H:%M}" if e.opens else None,
             "closes": f"{e.closes:%H:%M}" if e.closes else None, "reason": e.reason}
            for e in office.opening_exceptions.all()
        ],
    }  # fmt: skip


def _export_service(service: Service) -> dict[str, Any]:
    return {
        "leika_key": service.leika_key,
        "slug": service.slug,
        "status": service.status,
        **{name: getattr(service, name) for name in SERVICE_FIELDS},
        "offices": sorted(o.slug for o in service.offices.all()),
    }


def _export_life_situation(situation: LifeSituation) -> dict[str, Any]:
    links = LifeSituationService.objects.filter(life_situation=situation).select_related("service")
    return {
        "slug": situation.slug,
        "status": situation.status,
        **{name: getattr(situation, name) for name in LIFE_SITUATION_FIELDS},
        "services": [{"slug": link.service.slug, "step": link.step} for link in links],
    }
