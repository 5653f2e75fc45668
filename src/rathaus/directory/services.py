"""Writes for the directory: offices, opening hours, services, life situations, review.

Public: ``office_upsert``, ``opening_hours_set``, ``office_message_send``,
``publication_edited``, ``publication_review``, ``publication_publish``,
``publication_withdraw``, ``catalogue_import``, ``catalogue_export``,
``catalogue_load_files``, ``search_reindex``, ``DirectoryError``, ``CatalogueFormatError``.

The JSON import/export format (``rathaus.directory/1``) is documented in docs/portal.md.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from rathaus.domain.directory.opening_hours import OpeningHoursError, Slot, validate_slots
from rathaus.kernel import audit, search

from .models import (
    LifeSituation,
    LifeSituationService,
    Office,
    OfficeMessage,
    OpeningException,
    OpeningHours,
    Publication,
    Service,
)

FORMAT = "rathaus.directory/1"
DATA_DIR = Path(__file__).resolve().parent / "data"
Progress = Callable[[str, int], None]

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


class DirectoryError(Exception):
    """A directory change that is not allowed (message in German, shown to staff)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class CatalogueFormatError(DirectoryError):
    """An import document that does not follow the format; ``where`` names the place."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}", code="format")
        self.where = where


# --- Offices ---------------------------------------------------------------------------


@transaction.atomic
def office_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Office | None = None,
    email: str = "",
    phone: str = "",
    street_address: str = "",
    postal_code: str = "",
    city: str = "Bremen",
    leitweg_id: str | None = None,
    website: str = "",
    by: object = None,
) -> Office:
    """Create the office ``slug`` or bring its details up to date; validates like the admin form."""
    office = Office.objects.filter(slug=slug).first() or Office(slug=slug)
    before = {f: getattr(office, f) for f in ("name", "kind", "leitweg_id")} if office.pk else None
    office.name = name
    office.kind = kind
    office.short_name = short_name
    office.parent = parent
    office.email = email
    office.phone = phone
    office.street_address = street_address
    office.postal_code = postal_code
    office.city = city
    office.leitweg_id = leitweg_id or None
    office.website = website
    office.full_clean()
    created = office.pk is None
    office.save()
    after = {f: getattr(office, f) for f in ("name", "kind", "leitweg_id")}
    if created or before != after:
        audit.record(
            actor=by,  # type: ignore[arg-type]
            action="directory.office_created" if created else "directory.office_updated",
            target=office,
            details={"slug": slug, **after},
        )
    _index_office_on_commit(office)
    return office


def _slots(hours: Iterable[tuple[int, dt.time, dt.time]]) -> list[Slot]:
    return [Slot(opens=opens, closes=closes, weekday=weekday) for weekday, opens, closes in hours]


def validate_opening_hours(hours: Iterable[tuple[int, dt.time, dt.time]]) -> None:
    """Raise ``DirectoryError`` for slots ending before they start or overlapping."""
    try:
        validate_slots(_slots(hours))
    except OpeningHoursError as exc:
        raise DirectoryError(str(exc), code=exc.code) from exc


@transaction.atomic
def opening_hours_set(
    *,
    office: Office,
    hours: list[tuple[int, dt.time, dt.time, str]],
    exceptions: list[tuple[dt.date, dt.time | None, dt.time | None, str]] = (),  # type: ignore[assignment]
    by: object = None,
) -> Office:
    """Replace the weekly hours (weekday, opens, closes, note) and the dated exceptions."""
    validate_opening_hours((w, o, c) for w, o, c, _ in hours)
    by_day: dict[dt.date, list[tuple[int, dt.time, dt.time]]] = {}
    for day, opens, closes, _reason in exceptions:
        if (opens is None) != (closes is None):
            raise DirectoryError(f"{day:%d.%m.%Y}: Beginn und Ende gehören zusammen.", code="incomplete")
        if opens is not None and closes is not None:
            by_day.setdefault(day, []).append((-1, opens, closes))
    for day_slots in by_day.values():
        validate_opening_hours(day_slots)
    before = _hours_snapshot(office)
    OpeningHours.objects.filter(office=office).delete()
    OpeningException.objects.filter(office=office).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(office=office, weekday=w, opens=o, closes=c, note=n) for w, o, c, n in hours
    )
    OpeningException.objects.bulk_create(
        OpeningException(office=office, day=d, opens=o, closes=c, reason=r) for d, o, c, r in exceptions
    )
    after = _hours_snapshot(office)
    if before != after:
        audit.record(actor=by, action="directory.office_hours_changed", target=office, details=after)  # type: ignore[arg-type]
    return office


def _hours_snapshot(office: Office) -> dict[str, Any]:
    return {
        "hours": [
            [h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}", h.note]
            for h in OpeningHours.objects.filter(office=office).order_by("weekday", "opens")
        ],
        "exceptions": [
            [
                e.day.isoformat(),
                f"{e.opens:%H:%M}" if e.opens else None,
                f"{e.closes:%H:%M}" if e.closes else None,
                e.reason,
            ]
            for e in OpeningException.objects.filter(office=office).order_by("day", "opens")
        ],
    }


@transaction.atomic
def office_message_send(*, office: Office, name: str, email: str, subject: str, text: str) -> OfficeMessage:
    """Put a contact-form message into the office's inbox; the office is told by e-mail."""
    if not office.contact_form or not office.is_published:
        raise DirectoryError(
            "Diese Dienststelle nimmt keine Nachrichten über das Formular an.", code="no_form"
        )
    message = OfficeMessage(office=office, name=name, email=email, subject=subject, text=text)
    message.full_clean()
    message.save()
    audit.record(
        actor="Kontaktformular",
        action="directory.office_message_received",
        target=message,
        details={"office": office.slug},
    )
    if office.email:
        recipient = office.email
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Neue Nachricht über das Kontaktformular (Nr. {message.pk})",
                message="Im Posteingang der Dienststelle liegt eine neue Nachricht. "
                "Sie finden sie in der Verwaltung unter „Nachrichten an Dienststellen“.",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[recipient],
                fail_silently=True,
            )
        )
    return message


# --- Review before publishing -------------------------------------------------------------

Publishable = Office | Service | LifeSituation


def _label(obj: Publishable) -> str:
    return obj._meta.model_name or "entry"


def publication_problems(obj: Publishable) -> list[str]:
    """Why ``obj`` cannot be published yet (empty: it can)."""
    problems = []
    if isinstance(obj, Service):
        if obj.pk is None or not obj.offices.exists():
            problems.append("Eine Leistung ohne zuständige Dienststelle kann nicht veröffentlicht werden.")
        if not obj.slug:
            problems.append("Die Leistung braucht einen Kurznamen für die Adresse.")
        if not obj.description.strip():
            problems.append("Die Leistung braucht eine Beschreibung.")
    if isinstance(obj, LifeSituation) and (obj.pk is None or not obj.services.exists()):
        problems.append("Eine Lebenslage braucht mindestens eine Leistung.")
    return problems


@transaction.atomic
def publication_edited(*, obj: Publishable, by: object, changes: dict[str, Any] | None = None) -> Publishable:
    """Record a staff edit: the entry goes back to draft and needs a new review."""
    was_published = obj.is_published
    obj.status = Publication.Status.DRAFT
    obj.edited_by = by if getattr(by, "pk", None) else None  # type: ignore[assignment]
    obj.reviewed_by = None
    obj.save(update_fields=["status", "edited_by", "reviewed_by", "updated_at"])
    audit.record(
        actor=by,  # type: ignore[arg-type]
        action=f"directory.{_label(obj)}_edited",
        target=obj,
        details={"changes": _json_changes(changes or {}), "was_published": was_published},
    )
    _reindex_on_commit(obj)
    return obj


@transaction.atomic
def publication_review(*, obj: Publishable, by: object) -> Publishable:
    """Confirm a draft as checked; the reviewer must not be the last editor (four eyes)."""
    if obj.status != Publication.Status.DRAFT:
        raise DirectoryError("Nur Entwürfe können geprüft werden.", code="not_draft")
    if obj.edited_by_id is not None and obj.edited_by_id == getattr(by, "pk", None):
        raise DirectoryError(
            "Die Prüfung muss eine andere Person vornehmen als die Bearbeitung.", code="four_eyes"
        )
    problems = publication_problems(obj)
    if problems:
        raise DirectoryError(" ".join(problems), code="incomplete")
    obj.status = Publication.Status.REVIEWED
    obj.reviewed_by = by if getattr(by, "pk", None) else None  # type: ignore[assignment]
    obj.save(update_fields=["status", "reviewed_by", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_reviewed", target=obj)  # type: ignore[arg-type]
    return obj


@transaction.atomic
def publication_publish(*, obj: Publishable, by: object) -> Publishable:
    """Publish a reviewed entry; it appears on the portal and in the search."""
    if obj.status != Publication.Status.REVIEWED:
        raise DirectoryError("Veröffentlicht werden kann nur, was geprüft ist.", code="not_reviewed")
    problems = publication_problems(obj)
    if problems:
        raise DirectoryError(" ".join(problems), code="incomplete")
    obj.status = Publication.Status.PUBLISHED
    obj.published_at = timezone.now()
    obj.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_published", target=obj)  # type: ignore[arg-type]
    _reindex_on_commit(obj)
    return obj


@transaction.atomic
def publication_withdraw(*, obj: Publishable, by: object) -> Publishable:
    """Take an entry off the portal (back to draft)."""
    obj.status = Publication.Status.DRAFT
    obj.reviewed_by = None
    obj.save(update_fields=["status", "reviewed_by", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_withdrawn", target=obj)  # type: ignore[arg-type]
    _reindex_on_commit(obj)
    return obj


def _json_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, str | int | bool | list | type(None)) else str(value)
        for key, value in changes.items()
    }


# --- Search index ------------------------------------------------------------------------


def _join(*parts: object) -> str:
    return "\n".join(str(part) for part in parts if part)


def search_index_service(service: Service) -> None:
    """Put a published service into the search (or take an unpublished one out)."""
    if not service.is_published or not service.slug:
        search.remove_document(kind="service", key=str(service.leika_key))
        return
    offices = ", ".join(office.name for office in service.offices.all())
    search.index_document(
        kind="service",
        key=str(service.leika_key),
        title=service.name,
        body=_join(
            service.summary, service.description, service.eligibility, " ".join(service.documents), offices
        ),
        url=service.get_absolute_url(),
        keywords=" ".join([*service.keywords, service.summary]),
    )


def search_index_office(office: Office) -> None:
    if not office.is_published:
        search.remove_document(kind="office", key=office.slug)
        return
    search.index_document(
        kind="office",
        key=office.slug,
        title=office.name,
        body=_join(office.description, office.street_address, f"{office.postal_code} {office.city}".strip()),
        url=office.get_absolute_url(),
        keywords=office.short_name,
    )


def search_index_life_situation(situation: LifeSituation) -> None:
    if not situation.is_published:
        search.remove_document(kind="life_situation", key=situation.slug)
        return
    search.index_document(
        kind="life_situation",
        key=situation.slug,
        title=situation.name,
        body=_join(situation.summary, situation.description),
        url=situation.get_absolute_url(),
    )


def _reindex(obj: Publishable) -> None:
    if isinstance(obj, Service):
        search_index_service(obj)
    elif isinstance(obj, Office):
        search_index_office(obj)
    else:
        search_index_life_situation(obj)


def _reindex_on_commit(obj: Publishable) -> None:
    transaction.on_commit(lambda: _reindex(obj))


def _index_office_on_commit(office: Office) -> None:
    transaction.on_commit(lambda: search_index_office(office))


def search_reindex(progress: Progress | None = None) -> int:
    """Rebuild the search documents of all offices, services and life situations."""
    count = 0
    for office in Office.objects.all():
        search_index_office(office)
        count += 1
    for service in Service.objects.prefetch_related("offices"):
        search_index_service(service)
        count += 1
    for situation in LifeSituation.objects.all():
        search_index_life_situation(situation)
        count += 1
    if progress is not None:
        progress("directory", count)
    return count


# --- Import and export (format rathaus.directory/1) --------------------------------------


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=lambda: {"office": 0, "service": 0, "life_situation": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"office": 0, "service": 0, "life_situation": 0})
    unchanged: int = 0

    def summary(self) -> str:
        return (
            f"{self.created['office']} Dienststellen, {self.created['service']} Leistungen, "
            f"{self.created['life_situation']} Lebenslagen neu; "
            f"{sum(self.updated.values())} geändert, {self.unchanged} unverändert"
        )


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


def _require(item: Any, key: str, where: str, kind: type | tuple[type, ...] = str) -> Any:
    if not isinstance(item, dict) or key not in item:
        raise CatalogueFormatError(where, f"Feld „{key}“ fehlt.")
    value = item[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise CatalogueFormatError(f"{where}.{key}", "ungültiger Wert.")
    return value


def _time(value: Any, where: str) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueFormatError(where, f"keine Uhrzeit: {value!r}") from exc


def _decimal(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise CatalogueFormatError(where, f"keine Zahl: {value!r}") from exc
    return number


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise CatalogueFormatError(where, "Liste von Texten erwartet.")
    return [item.strip() for item in value if item.strip()]


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    result = {}
    for name in fields:
        value = getattr(obj, name)
        result[name] = str(value) if isinstance(value, Decimal | dt.time | dt.date) else value
    return result


def _validate(obj: Any, where: str, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        raise CatalogueFormatError(
            where, "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from exc


def _import_office(
    item: dict[str, Any],
    where: str,
    offices: dict[str, Office],
    status: str,
    by: object,
    report: ImportReport,
) -> Office:
    slug = _require(item, "slug", where)
    _require(item, "name", where)
    office = Office.objects.filter(slug=slug).first() or Office(slug=slug)
    created = office.pk is None
    before = _snapshot(office, (*OFFICE_FIELDS, "latitude", "longitude")) if not created else {}
    for name in OFFICE_FIELDS:
        if name in item:
            setattr(
                office,
                name,
                item[name] if item[name] is not None or name.endswith(("access", "toilet", "loop")) else "",
            )
    office.latitude = _decimal(item.get("latitude"), f"{where}.latitude")
    office.longitude = _decimal(item.get("longitude"), f"{where}.longitude")
    parent_slug = item.get("parent")
    if parent_slug:
        parent = offices.get(parent_slug) or Office.objects.filter(slug=parent_slug).first()
        if parent is None:
            raise CatalogueFormatError(f"{where}.parent", f"unbekannte Dienststelle „{parent_slug}“.")
        office.parent = parent
    if "leitweg_id" in item:
        office.leitweg_id = item["leitweg_id"] or None
    if created:
        office.status = status
    _validate(office, where)
    after = _snapshot(office, (*OFFICE_FIELDS, "latitude", "longitude"))
    office.save()
    hours = [
        (
            _require(h, "weekday", f"{where}.opening_hours[{i}]", int),
            _time(_require(h, "opens", f"{where}.opening_hours[{i}]"), f"{where}.opening_hours[{i}].opens"),
            _time(_require(h, "closes", f"{where}.opening_hours[{i}]"), f"{where}.opening_hours[{i}].closes"),
            str(h.get("note", "")),
        )
        for i, h in enumerate(item.get("opening_hours", []))
    ]
    exceptions = []
    for i, e in enumerate(item.get("exceptions", [])):
        try:
            day = dt.date.fromisoformat(_require(e, "day", f"{where}.exceptions[{i}]"))
        except ValueError as exc:
            raise CatalogueFormatError(f"{where}.exceptions[{i}].day", "kein Datum (JJJJ-MM-TT).") from exc
        exceptions.append(
            (
                day,
                _time(e.get("opens"), f"{where}.exceptions[{i}]"),
                _time(e.get("closes"), f"{where}.exceptions[{i}]"),
                str(e.get("reason", "")),
            )
        )
    try:
        opening_hours_set(office=office, hours=hours, exceptions=exceptions, by=by)
    except DirectoryError as exc:
        raise CatalogueFormatError(f"{where}.opening_hours", str(exc)) from exc
    _count(report, "office", created, before, after)
    if created or before != after:
        audit.record(
            actor=by,
            action="directory.office_imported",
            target=office,
            details={"created": created, "fields": after},
        )  # type: ignore[arg-type]
    offices[slug] = office
    return office


def _count(
    report: ImportReport, kind: str, created: bool, before: dict[str, Any], after: dict[str, Any]
) -> None:
    if created:
        report.created[kind] += 1
    elif before != after:
        report.updated[kind] += 1
    else:
        report.unchanged += 1


def _import_service(
    item: dict[str, Any],
    where: str,
    offices: dict[str, Office],
    status: str,
    by: object,
    report: ImportReport,
) -> Service:
    key = _require(item, "leika_key", where)
    if len(key) != 14 or not key.isascii() or not key.isdigit():  # "²" and "٣" are digits too
        raise CatalogueFormatError(f"{where}.leika_key", "14 Ziffern erwartet.")
    _require(item, "name", where)
    _require(item, "slug", where)
    service = Service.objects.filter(leika_key=key).first() or Service(leika_key=key)
    created = service.pk is None
    watched = (*SERVICE_FIELDS, "slug")
    before = (
        {**_snapshot(service, watched), "offices": sorted(service.offices.values_list("slug", flat=True))}
        if not created
        else {}
    )
    service.slug = item["slug"]
    for name in SERVICE_FIELDS:
        if name in item:
            value = item[name]
            if name in ("documents", "legal_basis", "keywords"):
                value = _string_list(value, f"{where}.{name}")
            setattr(service, name, value)
    office_slugs = _string_list(item.get("offices", []), f"{where}.offices")
    responsible = []
    for slug in office_slugs:
        office = offices.get(slug) or Office.objects.filter(slug=slug).first()
        if office is None:
            raise CatalogueFormatError(f"{where}.offices", f"unbekannte Dienststelle „{slug}“.")
        responsible.append(office)
    if status == Publication.Status.PUBLISHED and not responsible:
        raise CatalogueFormatError(
            f"{where}.offices", "Eine veröffentlichte Leistung braucht eine zuständige Dienststelle."
        )
    if created:
        service.status = status
    _validate(service, where)
    clash = Service.objects.filter(slug=service.slug).exclude(leika_key=key).first()
    if clash is not None:
        raise CatalogueFormatError(f"{where}.slug", f"„{service.slug}“ gehört schon zu {clash.leika_key}.")
    service.save()
    service.offices.set(responsible)
    after = {**_snapshot(service, watched), "offices": sorted(office_slugs)}
    _count(report, "service", created, before, after)
    if created or before != after:
        audit.record(
            actor=by,
            action="directory.service_imported",
            target=service,
            details={"created": created, "fields": after},
        )  # type: ignore[arg-type]
    return service


def _import_life_situation(
    item: dict[str, Any], where: str, status: str, by: object, report: ImportReport
) -> LifeSituation:
    slug = _require(item, "slug", where)
    _require(item, "name", where)
    situation = LifeSituation.objects.filter(slug=slug).first() or LifeSituation(slug=slug)
    created = situation.pk is None
    links = item.get("services", [])
    if not isinstance(links, list):
        raise CatalogueFormatError(f"{where}.services", "Liste erwartet.")
    before = (
        {
            **_snapshot(situation, LIFE_SITUATION_FIELDS),
            "services": [
                [link.service.slug, link.step]
                for link in LifeSituationService.objects.filter(life_situation=situation).select_related(
                    "service"
                )
            ],
        }
        if not created
        else {}
    )
    for name in LIFE_SITUATION_FIELDS:
        if name in item:
            setattr(situation, name, item[name])
    if created:
        situation.status = status
    _validate(situation, where)
    situation.save()
    wanted = []
    for index, link in enumerate(links):
        service_slug = _require(link, "slug", f"{where}.services[{index}]")
        service = Service.objects.filter(slug=service_slug).first()
        if service is None:
            raise CatalogueFormatError(f"{where}.services[{index}]", f"unbekannte Leistung „{service_slug}“.")
        wanted.append((service, str(link.get("step", ""))))
    LifeSituationService.objects.filter(life_situation=situation).delete()
    LifeSituationService.objects.bulk_create(
        LifeSituationService(life_situation=situation, service=service, position=position, step=step)
        for position, (service, step) in enumerate(wanted)
    )
    after = {
        **_snapshot(situation, LIFE_SITUATION_FIELDS),
        "services": [[s.slug, step] for s, step in wanted],
    }
    _count(report, "life_situation", created, before, after)
    if created or before != after:
        audit.record(
            actor=by,
            action="directory.life_situation_imported",
            target=situation,
            details={"created": created},
        )  # type: ignore[arg-type]
    return situation


def catalogue_import(
    *, document: Any, by: object = None, publish: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import offices, services and life situations (format ``rathaus.directory/1``).

    Entries are matched by office slug, LeiKa key and life-situation slug; new entries
    are published at once only with ``publish`` (reviewed data files of the repository),
    otherwise they start as drafts. Existing entries keep their review status. The whole
    import is one transaction: a mistake anywhere changes nothing.
    """
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CatalogueFormatError("format", f"„{FORMAT}“ erwartet.")
    status = Publication.Status.PUBLISHED if publish else Publication.Status.DRAFT
    report = ImportReport()
    offices: dict[str, Office] = {}
    sections = [("offices", document.get("offices", [])), ("services", document.get("services", [])),
                ("life_situations", document.get("life_situations", []))]  # fmt: skip
    for name, items in sections:
        if not isinstance(items, list):
            raise CatalogueFormatError(name, "Liste erwartet.")
    with transaction.atomic():
        for index, item in enumerate(sections[0][1]):
            _import_office(item, f"offices[{index}]", offices, status, by, report)
        if progress:
            progress("offices", len(sections[0][1]))
        for index, item in enumerate(sections[1][1]):
            _import_service(item, f"services[{index}]", offices, status, by, report)
        if progress:
            progress("services", len(sections[1][1]))
        for index, item in enumerate(sections[2][1]):
            _import_life_situation(item, f"life_situations[{index}]", status, by, report)
        if progress:
            progress("life_situations", len(sections[2][1]))
        audit.record(actor=by, action="directory.catalogue_imported", details={"summary": report.summary()})  # type: ignore[arg-type]
        transaction.on_commit(search_reindex)
    return report


def catalogue_export(*, only_published: bool = False) -> dict[str, Any]:
    """All offices, services and life situations in the import format."""
    offices = Office.objects.select_related("parent").prefetch_related("opening_hours", "opening_exceptions")
    services = Service.objects.prefetch_related("offices").order_by("leika_key")
    situations = LifeSituation.objects.all()
    if only_published:
        offices, services, situations = (
            q.filter(status=Publication.Status.PUBLISHED) for q in (offices, services, situations)
        )
    ordered = _parents_first(list(offices))
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "offices": [_export_office(office) for office in ordered],
        "services": [
            {
                "leika_key": s.leika_key, "slug": s.slug, "status": s.status,
                **{name: getattr(s, name) for name in SERVICE_FIELDS},
                "offices": sorted(o.slug for o in s.offices.all()),
            }
            for s in services
        ],
        "life_situations": [
            {
                "slug": ls.slug, "status": ls.status,
                **{name: getattr(ls, name) for name in LIFE_SITUATION_FIELDS},
                "services": [
                    {"slug": link.service.slug, "step": link.step}
                    for link in LifeSituationService.objects.filter(life_situation=ls)
                    .select_related("service")
                ],
            }
            for ls in situations
        ],
    }  # fmt: skip


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
