"""Writes at the office: check-in by booking code, walk-in tickets, calling the next visitor,
the outcome of a visit; and the audited read of the day list."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import codes
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, NotFound

from .. import selectors
from ..models import Appointment, Counter, OfficePlan
from ._common import By, locked, new_code

READ_PURPOSE = "Terminabwicklung in der Dienststelle (Tagesliste, Aufruf)"
READ_BASIS = "Art. 6 Abs. 1 lit. e DSGVO i. V. m. § 3 BremDSGVOAG"


@transaction.atomic
def day_list_read(
    *, office: Office, day: datetime.date, by: By, purpose: str = READ_PURPOSE
) -> dict[Counter | None, list[Appointment]]:
    """The office's day list (``selectors.day_list``) for a member of staff (or an operator at
    the command line), the read recorded with its purpose: it shows names and booking codes.
    A blank purpose reads nothing (``ValueError``)."""
    audit.record_read(
        actor=by,
        subject=office,
        purpose=purpose,
        legal_basis=READ_BASIS,
        fields=("appointment.name", "appointment.code", "day:" + day.isoformat()),
    )
    return selectors.day_list(office=office, day=day)


def staff_day_list_read(
    *, slug: str, day: datetime.date, user: User, purpose: str
) -> tuple[Office, dict[Counter | None, list[Appointment]]]:
    """The day list of the office ``slug`` for ``user`` (an API token's owner), who must work on
    matters there (``selectors.staff_offices``). Anyone else gets ``NotFound``, the same answer as
    for an office that does not exist; a refused look at a planned office is recorded
    (``access.denied``)."""
    office = next((o for o in selectors.staff_offices(user) if o.slug == slug), None)
    if office is None:
        planned = selectors.planned_office(slug=slug)
        if planned is not None:
            audit.record_denied(
                actor=user,
                target_type="directory.office",
                target_id=planned.pk,
                reason="Tagesliste: keine Rolle in dieser Dienststelle",
            )
        raise NotFound(
            "Diese Dienststelle gibt es nicht, sie vergibt keine Termine, oder das Token darf ihre "
            "Tagesliste nicht sehen.",
            code="office_not_found",
        )
    return office, day_list_read(office=office, day=day, by=user, purpose=purpose)


def _serialise_queue(office: Office) -> None:
    """Lock the office's plan row: check-ins and walk-ins of one office number their tickets one
    after the other."""
    OfficePlan.objects.select_for_update().filter(office=office).first()


def _next_queue_number(office: Office, prefix: str, now: datetime.datetime) -> str:
    since = selectors.day_start(timezone.localdate(now))
    count = (
        Appointment.objects.filter(office=office, checked_in_at__gte=since).exclude(queue_number="").count()
    )
    return f"{prefix}{count + 1:03d}"


@transaction.atomic
def appointment_check_in(
    *, office: Office, code: str, by: By, now: datetime.datetime | None = None
) -> Appointment:
    """Check a visitor in by booking code (today's confirmed appointments at ``office`` only)."""
    now = now or timezone.now()
    _serialise_queue(office)
    normalised = codes.normalise_code(code)
    today = selectors.day_start(timezone.localdate(now))
    appointment = (
        Appointment.objects.select_for_update()
        .filter(
            office=office,
            code=normalised,
            status=Appointment.Status.CONFIRMED,
            start__gte=today,
            start__lt=today + datetime.timedelta(days=1),
        )
        .first()
        if normalised
        else None
    )
    if appointment is None:
        raise NotFound(
            "Zu diesem Buchungscode gibt es heute keinen bestätigten Termin in dieser Dienststelle.",
            code="code_unknown",
        )
    appointment.status = Appointment.Status.CHECKED_IN
    appointment.checked_in_at = now
    appointment.queue_number = _next_queue_number(office, "T", now)
    appointment.save(update_fields=["status", "checked_in_at", "queue_number"])
    audit.record(actor=by, action="appointment.checked_in", target=appointment)
    return appointment


@transaction.atomic
def walk_in_create(
    *, office: Office, services: Sequence[Service], by: By, now: datetime.datetime | None = None
) -> Appointment:
    """A ticket for a visitor without appointment, in the same queue."""
    now = now or timezone.now()
    if not services or len(selectors.offered_for(office=office, services=services)) != len(services):
        raise NotFound("Diese Leistung wird hier nicht angeboten.", code="service_not_offered")
    _serialise_queue(office)
    appointment = Appointment.objects.create(
        office=office,
        kind=Appointment.Kind.WALK_IN,
        status=Appointment.Status.CHECKED_IN,
        code=new_code(),
        link_nonce="",
        checked_in_at=now,
        created_at=now,
        queue_number=_next_queue_number(office, "W", now),
    )
    appointment.services.set(services)
    audit.record(actor=by, action="appointment.walk_in", target=appointment)
    return appointment


def call_next(
    *, office: Office, counter: Counter, by: By, now: datetime.datetime | None = None
) -> Appointment | None:
    """Call the next waiting visitor to ``counter``; None if nobody waits. Two counters calling at
    once never get the same visitor (conditional update)."""
    now = now or timezone.now()
    if counter.office_id != office.pk:
        raise NotFound("Diesen Schalter gibt es hier nicht.", code="counter_unknown")
    for candidate in selectors.waiting_queue(office=office):
        with transaction.atomic():
            taken = Appointment.objects.filter(pk=candidate.pk, status=Appointment.Status.CHECKED_IN).update(
                status=Appointment.Status.CALLED, called_at=now, counter=counter
            )
            if taken:
                audit.record(
                    actor=by, action="appointment.called", target=candidate, details={"counter": counter.name}
                )
                candidate.refresh_from_db()
                return candidate
    return None


@transaction.atomic
def appointment_finish(
    *, appointment: Appointment, by: By, now: datetime.datetime | None = None
) -> Appointment:
    """The visit at the counter is done."""
    appointment = locked(appointment)
    if appointment.status != Appointment.Status.CALLED:
        raise Conflict("Nur aufgerufene Besuche können abgeschlossen werden.", code="not_called")
    appointment.status = Appointment.Status.DONE
    appointment.finished_at = now or timezone.now()
    appointment.save(update_fields=["status", "finished_at"])
    audit.record(actor=by, action="appointment.done", target=appointment)
    return appointment


@transaction.atomic
def appointment_no_show(
    *, appointment: Appointment, by: By, now: datetime.datetime | None = None
) -> Appointment:
    """Mark a booked visitor who did not come (or did not answer the call)."""
    appointment = locked(appointment)
    if appointment.status not in (
        Appointment.Status.CONFIRMED,
        Appointment.Status.CALLED,
        Appointment.Status.CHECKED_IN,
    ):
        raise Conflict("Dieser Termin kann nicht als nicht erschienen markiert werden.", code="not_open")
    appointment.status = Appointment.Status.NO_SHOW
    appointment.finished_at = now or timezone.now()
    appointment.save(update_fields=["status", "finished_at"])
    audit.record(actor=by, action="appointment.no_show", target=appointment)
    return appointment
