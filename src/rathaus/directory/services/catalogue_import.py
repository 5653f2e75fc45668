"""Importing the catalogue (format ``rathaus.directory/1``): offices, services, life situations.

Every entry is checked where it stands; the first mistake stops the import with a
``CatalogueFormatError`` naming the place (``services[12].offices``) and nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from rathaus.kernel import audit

from ..models import LifeSituation, LifeSituationService, Office, Publication, Service
from .catalogue import FORMAT, LIFE_SITUATION_FIELDS, OFFICE_FIELDS, SERVICE_FIELDS
from .common import Actor, CatalogueFormatError, DirectoryError
from .indexing import Progress, published_changed_on_commit, search_reindex
from .offices import DatedHours, WeeklyHours, opening_hours_set


def _kinds() -> dict[str, int]:
    return {"office": 0, "service": 0, "life_situation": 0}


@dataclass
class ImportReport:
    """What an import created and changed, by kind (office, service, life situation)."""

    created: dict[str, int] = field(default_factory=_kinds)
    updated: dict[str, int] = field(default_factory=_kinds)
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{self.created['office']} Dienststellen, {self.created['service']} Leistungen, "
            f"{self.created['life_situation']} Lebenslagen neu; "
            f"{sum(self.updated.values())} geändert, {self.unchanged} unverändert"
        )

    def tally(self, kind: str, created: bool, before: dict[str, Any], after: dict[str, Any]) -> None:
        if created:
            self.created[kind] += 1
        elif before != after:
            self.updated[kind] += 1
        else:
            self.unchanged += 1


@dataclass
class _Run:
    """One import: the status of new entries, the actor, the report, the offices seen so far."""

    status: str
    by: Actor
    report: ImportReport = field(default_factory=ImportReport)
    offices: dict[str, Office] = field(default_factory=dict)

    def office(self, slug: str) -> Office | None:
        return self.offices.get(slug) or Office.objects.filter(slug=slug).first()


# --- Reading the document's values ---------------------------------------------------------


def _require(item: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise CatalogueFormatError(where, f"Feld „{key}“ fehlt.")
    value = item[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise CatalogueFormatError(f"{where}.{key}", "ungültiger Wert.")
    return value


def _clock(value: object, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueFormatError(where, f"keine Uhrzeit: {value!r}") from exc


def _time(value: object, where: str) -> dt.time | None:
    return None if value is None else _clock(value, where)


def _decimal(value: object, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise CatalogueFormatError(where, f"keine Zahl: {value!r}") from exc
    return number


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueFormatError(where, "Liste von Texten erwartet.")
    return [item.strip() for item in value if item.strip()]


def _snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    result = {}
    for name in fields:
        value = getattr(obj, name)
        result[name] = str(value) if isinstance(value, Decimal | dt.time | dt.date) else value
    return result


def _validate(obj: models.Model, where: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise CatalogueFormatError(
            where, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from exc


def _recorded(
    run: _Run,
    kind: str,
    obj: models.Model,
    changes: tuple[bool, dict[str, Any], dict[str, Any]],
    *,
    action: str,
    details: dict[str, Any],
) -> None:
    """Count the entry in the report and audit it when it is new or changed."""
    created, before, after = changes
    run.report.tally(kind, created, before, after)
    if created or before != after:
        audit.record(actor=run.by, action=action, target=obj, details=details)


# --- Offices -------------------------------------------------------------------------------


def _office_hours(item: dict[str, Any], where: str) -> list[WeeklyHours]:
    hours = []
    for i, h in enumerate(item.get("opening_hours", [])):
        at = f"{where}.opening_hours[{i}]"
        weekday = _require(h, "weekday", at, int)
        opens = _clock(_require(h, "opens", at), f"{at}.opens")
        closes = _clock(_require(h, "closes", at), f"{at}.closes")
        hours.append((weekday, opens, closes, str(h.get("note", ""))))
    return hours


def _office_exceptions(item: dict[str, Any], where: str) -> list[DatedHours]:
    exceptions = []
    for i, e in enumerate(item.get("exceptions", [])):
        at = f"{where}.exceptions[{i}]"
        try:
            day = dt.date.fromisoformat(_require(e, "day", at))
        except ValueError as exc:
            raise CatalogueFormatError(f"{at}.day", "kein Datum (JJJJ-MM-TT).") from exc
        exceptions.append(
            (day, _time(e.get("opens"), at), _time(e.get("closes"), at), str(e.get("reason", "")))
        )
    return exceptions


def _office_fields(office: Office, item: dict[str, Any], where: str, run: _Run) -> None:
    for name in OFFICE_FIELDS:
        if name in item:
            value = item[name]
            keep_none = name.endswith(("access", "toilet", "loop"))
            setattr(office, name, value if value is not None or keep_none else "")
    office.latitude = _decimal(item.get("latitude"), f"{where}.latitude")
    office.longitude = _decimal(item.get("longitude"), f"{where}.longitude")
    parent_slug = item.get("parent")
    if parent_slug:
        parent = run.office(parent_slug)
        if parent is None:
            raise CatalogueFormatError(f"{where}.parent", f"unbekannte Dienststelle „{parent_slug}“.")
        office.parent = parent
    if "leitweg_id" in item:
        office.leitweg_id = item["leitweg_id"] or None


def _import_office(item: dict[str, Any], where: str, run: _Run) -> Office:
    slug = _require(item, "slug", where)
    _require(item, "name", where)
    office = Office.objects.filter(slug=slug).first() or Office(slug=slug)
    created = office.pk is None
    watched = (*OFFICE_FIELDS, "latitude", "longitude")
    before = _snapshot(office, watched) if not created else {}
    _office_fields(office, item, where, run)
    if created:
        office.status = run.status
    _validate(office, where)
    after = _snapshot(office, watched)
    office.save()
    hours = _office_hours(item, where)
    exceptions = _office_exceptions(item, where)
    try:
        opening_hours_set(office=office, hours=hours, exceptions=exceptions, by=run.by)
    except DirectoryError as exc:
        raise CatalogueFormatError(f"{where}.opening_hours", str(exc)) from exc
    _recorded(
        run,
        "office",
        office,
        (created, before, after),
        action="directory.office_imported",
        details={"created": created, "fields": after},
    )
    run.offices[slug] = office
    return office


# --- Services ------------------------------------------------------------------------------


def _responsible_offices(item: dict[str, Any], where: str, run: _Run) -> tuple[list[str], list[Office]]:
    slugs = _string_list(item.get("offices", []), f"{where}.offices")
    responsible = []
    for slug in slugs:
        office = run.office(slug)
        if office is None:
            raise CatalogueFormatError(f"{where}.offices", f"unbekannte Dienststelle „{slug}“.")
        responsible.append(office)
    if run.status == Publication.Status.PUBLISHED and not responsible:
        raise CatalogueFormatError(
            f"{where}.offices", "Eine veröffentlichte Leistung braucht eine zuständige Dienststelle."
        )
    return slugs, responsible


def _import_service(item: dict[str, Any], where: str, run: _Run) -> Service:
    key = _require(item, "leika_key", where)
    if len(key) != 14 or not key.isascii() or not key.isdigit():  # "²" and "٣" are digits too
        raise CatalogueFormatError(f"{where}.leika_key", "14 Ziffern erwartet.")
    _require(item, "name", where)
    _require(item, "slug", where)
    service = Service.objects.filter(leika_key=key).first() or Service(leika_key=key)
    created = service.pk is None
    watched = (*SERVICE_FIELDS, "slug")
    before = {} if created else {
        **_snapshot(service, watched), "offices": sorted(service.offices.values_list("slug", flat=True))
    }  # fmt: skip
    service.slug = item["slug"]
    for name in SERVICE_FIELDS:
        if name in item:
            value = item[name]
            if name in ("documents", "legal_basis", "keywords"):
                value = _string_list(value, f"{where}.{name}")
            setattr(service, name, value)
    office_slugs, responsible = _responsible_offices(item, where, run)
    if created:
        service.status = run.status
    _validate(service, where)
    clash = Service.objects.filter(slug=service.slug).exclude(leika_key=key).first()
    if clash is not None:
        raise CatalogueFormatError(f"{where}.slug", f"„{service.slug}“ gehört schon zu {clash.leika_key}.")
    service.save()
    service.offices.set(responsible)
    after = {**_snapshot(service, watched), "offices": sorted(office_slugs)}
    _recorded(
        run,
        "service",
        service,
        (created, before, after),
        action="directory.service_imported",
        details={"created": created, "fields": after},
    )
    return service


# --- Life situations -----------------------------------------------------------------------


def _life_situation_steps(links: list[Any], where: str) -> list[tuple[Service, str]]:
    wanted = []
    for index, link in enumerate(links):
        service_slug = _require(link, "slug", f"{where}.services[{index}]")
        service = Service.objects.filter(slug=service_slug).first()
        if service is None:
            raise CatalogueFormatError(f"{where}.services[{index}]", f"unbekannte Leistung „{service_slug}“.")
        wanted.append((service, str(link.get("step", ""))))
    return wanted


def _life_situation_links(situation: LifeSituation) -> list[list[str]]:
    links = LifeSituationService.objects.filter(life_situation=situation).select_related("service")
    return [[link.service.slug, link.step] for link in links]


def _import_life_situation(item: dict[str, Any], where: str, run: _Run) -> LifeSituation:
    slug = _require(item, "slug", where)
    _require(item, "name", where)
    situation = LifeSituation.objects.filter(slug=slug).first() or LifeSituation(slug=slug)
    created = situation.pk is None
    links = item.get("services", [])
    if not isinstance(links, list):
        raise CatalogueFormatError(f"{where}.services", "Liste erwartet.")
    before = {} if created else {
        **_snapshot(situation, LIFE_SITUATION_FIELDS), "services": _life_situation_links(situation)
    }  # fmt: skip
    for name in LIFE_SITUATION_FIELDS:
        if name in item:
            setattr(situation, name, item[name])
    if created:
        situation.status = run.status
    _validate(situation, where)
    situation.save()
    wanted = _life_situation_steps(links, where)
    LifeSituationService.objects.filter(life_situation=situation).delete()
    LifeSituationService.objects.bulk_create(
        LifeSituationService(life_situation=situation, service=service, position=position, step=step)
        for position, (service, step) in enumerate(wanted)
    )
    after = {
        **_snapshot(situation, LIFE_SITUATION_FIELDS),
        "services": [[s.slug, step] for s, step in wanted],
    }
    _recorded(
        run,
        "life_situation",
        situation,
        (created, before, after),
        action="directory.life_situation_imported",
        details={"created": created},
    )
    return situation


# --- The import ----------------------------------------------------------------------------


def catalogue_import(
    *, document: Any, by: Actor = None, publish: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import offices, services and life situations (format ``rathaus.directory/1``).

    Entries are matched by office slug, LeiKa key and life-situation slug; new entries
    are published at once only with ``publish`` (reviewed data files of the repository),
    otherwise they start as drafts. Existing entries keep their review status. The whole
    import is one transaction: a mistake anywhere changes nothing.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CatalogueFormatError("format", f"„{FORMAT}“ erwartet.")
    run = _Run(status=Publication.Status.PUBLISHED if publish else Publication.Status.DRAFT, by=by)
    sections: list[tuple[str, Callable[[dict[str, Any], str, _Run], models.Model]]] = [
        ("offices", _import_office),
        ("services", _import_service),
        ("life_situations", _import_life_situation),
    ]
    items = {name: document.get(name, []) for name, _step in sections}
    for name, found in items.items():
        if not isinstance(found, list):
            raise CatalogueFormatError(name, "Liste erwartet.")
    with transaction.atomic():
        for name, step in sections:
            for index, item in enumerate(items[name]):
                step(item, f"{name}[{index}]", run)
            if progress:
                progress(name, len(items[name]))
        audit.record(
            actor=by, action="directory.catalogue_imported", details={"summary": run.report.summary()}
        )
        transaction.on_commit(search_reindex)
        published_changed_on_commit()
    return run.report
