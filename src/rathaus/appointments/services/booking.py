"""Writes of a booking's time: reserve units, move to other units, cancel, and the housekeeping
of lapsed holds.

"Never given twice" is the database's job: the unique ``SlotClaim.slot`` decides which of two
reservations of a unit commits (decision 0080).
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
from ._common import CITIZEN_BY_LINK, By, locked, mail_on_commit, new_code, release

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


def _drop_lapsed_claims(slot_ids: Sequence[int], now: datetime.datetime) -> None:
    stale = list(
        SlotClaim.objects.filter(slot_id__in=slot_ids, held_until__lt=now).values_list(
            "appointment_id", flat=True
        )
    )
    if stale:
        SlotClaim.objects.filter(appointment_id__in=stale).delete()
        Appointment.objects.filter(pk__in=stale, status__in=Appointment.HOLDING).update(
            status=Appointment.Status.LAPSED, held_until=None
        )


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
    plan = selectors.domain_plan(office, plan_row)
    units = selectors.units_for(offered, plan.slot_minutes)
    local_start = selectors.local_naive(start)
    local_now = selectors.local_naive(now)
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
    appointment_for: Callable[[int], Appointment],
    held_until: datetime.datetime | None,
    now: datetime.datetime,
    request_key: str | None = None,
) -> Appointment:
    """Claim ``units`` consecutive units from ``start`` on some counter, in one transaction each try.

    ``appointment_for(counter_id)`` creates (or updates) the appointment inside the transaction.
    The unique ``SlotClaim.slot`` decides who wins; a loser tries the next counter. A try that
    fails because the same request (``request_key``) made its hold meanwhile returns that hold.
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
                _drop_lapsed_claims([s.pk for s in slots], now)
                appointment = appointment_for(counter_id)
                SlotClaim.objects.bulk_create(
                    [SlotClaim(slot=s, appointment=appointment, held_until=held_until) for s in slots]
                )
                return appointment
        except IntegrityError:
            # The slots were taken (try the next counter), or this request's twin made its hold.
            if (earlier := _made_by(request_key)) is not None:
                return earlier
            continue
    raise Conflict(
        "Dieser Termin ist leider schon vergeben. Bitte wählen Sie eine andere Zeit.", code="slot_taken"
    )


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

    def create(counter_id: int) -> Appointment:
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
        return appointment

    try:
        appointment = _claim(
            office=office,
            start=start,
            units=units,
            slot_minutes=plan_row.slot_minutes,
            appointment_for=create,
            held_until=held_until,
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
    appointment: Appointment, *, start: datetime.datetime, end: datetime.datetime, units: int, counter_id: int
) -> Appointment:
    """Inside the claim's transaction: the appointment's new time, audited, with its notices."""
    current = locked(appointment)
    if current.status != Appointment.Status.CONFIRMED:
        raise Conflict(NOT_MOVABLE, code="not_movable")
    SlotClaim.objects.filter(appointment=current).delete()
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
        appointment_for=lambda counter_id: _moved(
            appointment, start=start, end=end, units=units, counter_id=counter_id
        ),
        held_until=None,
        now=now,
    )


def holds_release_lapsed(*, now: datetime.datetime | None = None) -> int:
    """Mark lapsed holds as such and delete their claims (housekeeping; availability already
    treats them as free)."""
    now = now or timezone.now()
    with transaction.atomic():
        lapsed = list(
            Appointment.objects.filter(status__in=Appointment.HOLDING, held_until__lt=now).values_list(
                "pk", flat=True
            )
        )
        SlotClaim.objects.filter(appointment_id__in=lapsed).delete()
        Appointment.objects.filter(pk__in=lapsed).update(status=Appointment.Status.LAPSED, held_until=None)
    return len(lapsed)
