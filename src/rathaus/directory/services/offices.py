"""Offices: their details, opening hours and the contact form's messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from rathaus.domain.directory.opening_hours import OpeningHoursError, Slot, validate_slots
from rathaus.kernel import audit

from ..models import Office, OfficeMessage, OpeningException, OpeningHours
from .common import Actor, DirectoryError
from .indexing import reindex_on_commit

WeeklyHours = tuple[int, dt.time, dt.time, str]  # weekday, opens, closes, note
DatedHours = tuple[dt.date, dt.time | None, dt.time | None, str]  # day, opens, closes, reason


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
    by: Actor = None,
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
            actor=by,
            action="directory.office_created" if created else "directory.office_updated",
            target=office,
            details={"slug": slug, **after},
        )
    reindex_on_commit(office)
    return office


def _slots(hours: Iterable[tuple[int, dt.time, dt.time]]) -> list[Slot]:
    return [Slot(opens=opens, closes=closes, weekday=weekday) for weekday, opens, closes in hours]


def validate_opening_hours(hours: Iterable[tuple[int, dt.time, dt.time]]) -> None:
    """Raise ``DirectoryError`` for slots ending before they start or overlapping."""
    try:
        validate_slots(_slots(hours))
    except OpeningHoursError as exc:
        raise DirectoryError(str(exc), code=exc.code) from exc


def _validate_exceptions(exceptions: Iterable[DatedHours]) -> None:
    by_day: dict[dt.date, list[tuple[int, dt.time, dt.time]]] = {}
    for day, opens, closes, _reason in exceptions:
        if (opens is None) != (closes is None):
            raise DirectoryError(f"{day:%d.%m.%Y}: Beginn und Ende gehören zusammen.", code="incomplete")
        if opens is not None and closes is not None:
            by_day.setdefault(day, []).append((-1, opens, closes))
    for day_slots in by_day.values():
        validate_opening_hours(day_slots)


@transaction.atomic
def opening_hours_set(
    *,
    office: Office,
    hours: Sequence[WeeklyHours],
    exceptions: Sequence[DatedHours] = (),
    by: Actor = None,
) -> Office:
    """Replace the weekly hours (weekday, opens, closes, note) and the dated exceptions."""
    validate_opening_hours((w, o, c) for w, o, c, _ in hours)
    _validate_exceptions(exceptions)
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
        audit.record(actor=by, action="directory.office_hours_changed", target=office, details=after)
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
