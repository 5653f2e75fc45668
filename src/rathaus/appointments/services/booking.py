"""Writes of a booking's time: reserve units, move to other units, cancel, and the housekeeping
of lapsed holds.

"Never given twice" is the database's job: the unique ``SlotClaim.slot`` decides which of two
reservations of a unit commits (decision 0080), and the claim guard's triggers keep a confirmed
appointment's claims (``claim_guard``, decision 0084). Every path locks appointment rows before
slot claims, and is repeated after a deadlock (``booking_write``).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import schedule
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .. import notices, selectors, tokens
from ..models import Appointment, Counter, OfficePlan, Slot, SlotClaim
from ._common import (
    CITIZEN_BY_LINK,
    By,
    booking_write,
    free_units_changed,
    lapse_holds,
    locked,
    mail_on_commit,
    new_code,
    release,
)

REFUSAL_MESSAGES = {
    schedule.Refusal.PAST: "Dieser Zeitpunkt liegt in der Vergangenheit oder zu kurz vor jetzt.",
    schedule.Refusal.NOT_RELEASED: "Termine an diesem Tag sind noch nicht freigegeben.",
    schedule.Refusal.HOLIDAY: (
        "An diesem Tag ist ein gesetzlicher Feiertag; die Dienststelle ist geschlossen."
    ),
    schedule.Refusal.CLOSED: "Die Dienststelle ist an diesem Tag geschlossen.",
    schedule.Refusal.OUTSIDE_HOURS: "Dieser Zeitpunkt liegt außerhalb der Öffnungszeiten.",
    schedule.Refusal.OFF_GRID: "Termine beginnen nur zu den angezeigten Zeiten.",
    schedule.Refusal.RUNS_PAST_CLOSING: "Der Termin würde über das Ende der Öffnungszeit hinausgehen.",
}
NOT_MOVABLE = "Nur bestätigte Termine können verschoben werden."


class BookingRefused(InvalidInput):
    """The requested booking breaks a scheduling rule (code ``slot_<refusal>``)."""


def _lapse_stale_holds(slots: Sequence[Slot], now: datetime.datetime) -> None:
    """Lapse the holds whose claims on ``slots`` ran out before ``now`` (decided under their row
    locks by ``lapse_holds``; one confirmed meanwhile keeps its claims)."""
    stale = SlotClaim.objects.filter(slot__in=slots, held_until__lt=now).values_list(
        "appointment_id", flat=True
    )
    candidates = set(stale)
    if candidates:
        lapse_holds(candidates, now)


def _claim_units(
    appointment: Appointment, slots: Sequence[Slot], held_until: datetime.datetime | None
) -> None:
    SlotClaim.objects.bulk_create(
        [SlotClaim(slot=s, appointment=appointment, held_until=held_until) for s in slots]
    )
    free_units_changed()


def _check_request(
    *, office: Office, services: Sequence[Service], start: datetime.datetime, now: datetime.datetime
) -> tuple[OfficePlan, int]:
    """The office's plan and the units needed, or ``BookingRefused``/``NotFound``."""
    if not services or len({s.pk for s in services}) != len(services):
        raise InvalidInput(
            "Bitte wählen Sie mindestens eine Leistung, jede nur einmal.", code="services_invalid"
        )
    plan_row = selectors.active_plan(office)
    offered = selectors.offered_for(office=office, services=services)
    if plan_row is None or len(offered) != len(services):
        raise NotFound(
            "Diese Leistung wird bei dieser Dienststelle nicht online angeboten.", code="service_not_offered"
        )
    local_start = selectors.local_naive(start)
    local_now = selectors.local_naive(now)
    plan = selectors.domain_plan(office, plan_row, since=local_now.date())
    units = selectors.units_for(offered, plan.slot_minutes)
    refusal = schedule.check_start(
        plan,
        start=local_start,
        units=units,
        now=local_now,
        holidays=selectors.holidays_for(local_start.date(), local_now.date()),
    )
    if refusal is not None:
        raise BookingRefused(REFUSAL_MESSAGES[refusal], code=f"slot_{refusal.value}")
    return plan_row, units


def _claim(
    *,
    office: Office,
    start: datetime.datetime,
    units: int,
    slot_minutes: int,
    take: Callable[[int, list[Slot]], Appointment],
    now: datetime.datetime,
    request_key: str | None = None,
) -> Appointment:
    """Claim ``units`` consecutive units from ``start`` on some counter, in one transaction each try.

    ``take(counter_id, slots)`` creates (or updates) the appointment and inserts its claims on
    ``slots`` inside the transaction, after stale holds on them have lapsed. The unique
    ``SlotClaim.slot`` decides who wins; a loser tries the next counter. A try that fails because
    the same request (``request_key``) made its hold meanwhile returns that hold.
    """
    step = datetime.timedelta(minutes=slot_minutes)
    counters = list(Counter.objects.filter(office=office, active=True).values_list("pk", flat=True))
    # Different clients start at different counters, so a rush spreads instead of colliding.
    random.SystemRandom().shuffle(counters)
    for counter_id in counters:
        slots = list(
            Slot.objects.filter(counter_id=counter_id, start__gte=start, start__lt=start + units * step)
            .filter(Q(claim__isnull=True) | Q(claim__held_until__lt=now))
            .order_by("start")
        )
        if len(slots) != units or any(s.start != start + i * step for i, s in enumerate(slots)):
            continue
        try:
            with transaction.atomic():
                _lapse_stale_holds(slots, now)
                return take(counter_id, slots)
        except IntegrityError:
            # The slots were taken (try the next counter), or this request's twin made its hold.
            if (earlier := _made_by(request_key)) is not None:
                return earlier
            continue
    raise Conflict(
        "Dieser Termin ist leider schon vergeben. Bitte wählen Sie eine andere Zeit.", code="slot_taken"
    )


@booking_write
def appointment_reserve(
    *,
    office: Office,
    services: Sequence[Service],
    start: datetime.datetime,
    user: User | AnonymousUser | None = None,
    origin: str = "",
    request_key: str | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Appointment, str]:
    """Hold the units for a visit from ``start`` for ``hold_minutes``; returns it and its personal link token.

    ``request_key`` (unique, see ``tokens.request_key``): the same request again gets the hold
    it made, also when both run at the same moment. Not audited: a hold carries no personal data
    and lapses by itself; the confirmation is.
    """
    if (earlier := _made_by(request_key)) is not None:
        return earlier, tokens.link_token(earlier)
    now = now or timezone.now()
    plan_row, units = _check_request(office=office, services=services, start=start, now=now)
    held_until = now + datetime.timedelta(minutes=plan_row.hold_minutes)
    end = start + units * datetime.timedelta(minutes=plan_row.slot_minutes)

    def create(counter_id: int, slots: list[Slot]) -> Appointment:
        appointment = Appointment.objects.create(
            office=office,
            counter_id=counter_id,
            start=start,
            end=end,
            units=units,
            code=new_code(),
            link_nonce=tokens.new_nonce(),
            user=user if isinstance(user, User) and user.is_authenticated else None,
            origin=origin[:200],
            request_key=request_key,
            held_until=held_until,
            created_at=now,
        )
        appointment.services.set(services)
        _claim_units(appointment, slots, held_until)
        return appointment

    try:
        appointment = _claim(
            office=office,
            start=start,
            units=units,
            slot_minutes=plan_row.slot_minutes,
            take=create,
            now=now,
            request_key=request_key,
        )
    except Conflict:
        # Taken, perhaps by this very request's twin, which committed before our look for free units.
        if (earlier := _made_by(request_key)) is None:
            raise
        appointment = earlier
    return appointment, tokens.link_token(appointment)


def _made_by(request_key: str | None) -> Appointment | None:
    """The hold the request with this key made already, if any."""
    return tokens.appointment_by_request_key(request_key) if request_key else None


@booking_write
@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: By | None = None, now: datetime.datetime | None = None
) -> Appointment:
    """Cancel; the units are free again at once."""
    now = now or timezone.now()
    appointment = locked(appointment)
    if appointment.status not in (*Appointment.HOLDING, Appointment.Status.CONFIRMED):
        raise Conflict("Dieser Termin kann nicht mehr storniert werden.", code="not_cancellable")
    was_confirmed = appointment.status == Appointment.Status.CONFIRMED
    release(appointment, Appointment.Status.CANCELLED, now)
    audit.record(actor=by or CITIZEN_BY_LINK, action="appointment.cancelled", target=appointment)
    if was_confirmed:
        notices.postbox_deliver(appointment, notice="cancelled")
        mail_on_commit(
            "send_cancellation",
            key=f"appointments.cancellation:{appointment.pk}",
            appointment_id=appointment.pk,
        )
    return appointment


def _moved(
    appointment: Appointment,
    *,
    slots: list[Slot],
    start: datetime.datetime,
    end: datetime.datetime,
    units: int,
    counter_id: int,
) -> Appointment:
    """Inside the claim's transaction: the appointment's new time, audited, with its notices.
    The new units are claimed first, then the time changes, then the old claims go: the claim
    guard lets a confirmed appointment be without its units at no moment."""
    current = locked(appointment)
    if current.status != Appointment.Status.CONFIRMED:
        raise Conflict(NOT_MOVABLE, code="not_movable")
    _claim_units(current, slots, None)
    old = current.start
    current.start, current.end, current.units, current.counter_id = start, end, units, counter_id
    current.revision += 1
    current.reminder_sent_at = None
    current.confirmation_sent_at = None
    current.save(
        update_fields=[
            "start",
            "end",
            "units",
            "counter",
            "revision",
            "reminder_sent_at",
            "confirmation_sent_at",
        ]
    )
    SlotClaim.objects.filter(appointment=current).exclude(slot__in=slots).delete()
    free_units_changed()
    audit.record(
        actor=CITIZEN_BY_LINK,
        action="appointment.moved",
        target=current,
        details={"from": old.isoformat() if old else "", "to": start.isoformat()},
    )
    notices.postbox_deliver(current, notice="moved")
    mail_on_commit(
        "send_confirmation",
        key=f"appointments.confirmation:{current.pk}:{current.revision}",
        appointment_id=current.pk,
        moved=True,
    )
    return current


@booking_write
def appointment_move(
    *, appointment: Appointment, start: datetime.datetime, now: datetime.datetime | None = None
) -> Appointment:
    """Move a confirmed appointment to ``start`` at the same office; old units are freed in the same
    transaction that claims the new ones, so a failed move keeps the old time."""
    now = now or timezone.now()
    if appointment.status != Appointment.Status.CONFIRMED:
        raise Conflict(NOT_MOVABLE, code="not_movable")
    services = list(appointment.services.all())
    plan_row, units = _check_request(office=appointment.office, services=services, start=start, now=now)
    end = start + units * datetime.timedelta(minutes=plan_row.slot_minutes)
    return _claim(
        office=appointment.office,
        start=start,
        units=units,
        slot_minutes=plan_row.slot_minutes,
        take=lambda counter_id, slots: _moved(
            appointment, slots=slots, start=start, end=end, units=units, counter_id=counter_id
        ),
        now=now,
    )


@booking_write
def holds_release_lapsed(*, now: datetime.datetime | None = None) -> int:
    """Mark lapsed holds as such and delete their claims (housekeeping; availability already
    treats them as free). Same lock order as every booking path: the holds' rows, then their claims."""
    now = now or timezone.now()
    with transaction.atomic():
        return len(lapse_holds(None, now))
