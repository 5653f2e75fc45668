"""Writes of the Terminvergabe: planning, slots, the booking's life cycle, the office's queue.

Public: ``plan_upsert``, ``counter_ensure``, ``opening_hours_set``, ``opening_exception_add``,
``offer_upsert``, ``slots_generate``, ``appointment_reserve``, ``appointment_preconfirm``,
``appointment_confirm_with_account``, ``appointment_verify``, ``appointment_cancel``,
``appointment_move``, ``holds_release_lapsed``, ``reminders_send_due``,
``appointment_check_in``, ``walk_in_create``, ``call_next``, ``appointment_finish``,
``appointment_no_show``; exceptions ``BookingRefused``.

The life cycle: reserved (a short hold after the proof of work) → preconfirmed (name and
e-mail given, waiting for the verification link) → confirmed. A hold that runs out lapses
and its units count as free at once (availability ignores lapsed holds' claims); the next
reservation of such a unit deletes the stale claim in its own transaction.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import codes, schedule
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from . import mails, selectors, tokens
from .models import (
    Appointment,
    Counter,
    OfferedService,
    OfficePlan,
    OpeningException,
    OpeningHours,
    Slot,
    SlotClaim,
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


class BookingRefused(InvalidInput):
    """The requested booking breaks a scheduling rule (code ``slot_<refusal>``)."""


# --- Planning ------------------------------------------------------------------------------


@transaction.atomic
def plan_upsert(*, office: Office, by: Any = None, **values: Any) -> OfficePlan:
    """Create or change the office's planning (fields of ``OfficePlan``)."""
    plan, created = OfficePlan.objects.get_or_create(office=office, defaults=values)
    if not created:
        for name, value in values.items():
            setattr(plan, name, value)
        plan.save()
    selectors.plan_forget(office)
    audit.record(
        actor=by,
        action="appointments.plan_saved",
        target=office,
        details={k: str(v) for k, v in values.items()},
    )
    return plan


def counter_ensure(*, office: Office, name: str) -> Counter:
    counter, _ = Counter.objects.get_or_create(office=office, name=name)
    return counter


@transaction.atomic
def opening_hours_set(
    *, office: Office, hours: Sequence[tuple[int, datetime.time, datetime.time]], by: Any = None
) -> None:
    """Replace the office's weekly hours by ``hours`` (weekday, opens, closes)."""
    OpeningHours.objects.filter(office=office).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(office=office, weekday=w, opens=o, closes=c) for w, o, c in hours
    )
    selectors.plan_forget(office)
    audit.record(
        actor=by,
        action="appointments.hours_set",
        target=office,
        details={"hours": [[w, str(o), str(c)] for w, o, c in hours]},
    )


@transaction.atomic
def opening_exception_add(
    *,
    office: Office,
    day: datetime.date,
    reason: str,
    opens: datetime.time | None = None,
    closes: datetime.time | None = None,
    by: Any = None,
) -> OpeningException:
    """Close the office on ``day`` (no times) or open it only ``opens``–``closes``.

    Units of a closed day that nobody booked are removed; booked ones stay for staff to
    rebook (they are listed in the day list).
    """
    exception = OpeningException.objects.create(
        office=office, day=day, reason=reason, closed=opens is None, opens=opens, closes=closes
    )
    start = selectors.aware(datetime.datetime.combine(day, datetime.time()))
    Slot.objects.filter(
        office=office, start__gte=start, start__lt=start + datetime.timedelta(days=1), claim__isnull=True
    ).delete()
    selectors.plan_forget(office)
    audit.record(
        actor=by,
        action="appointments.exception_added",
        target=office,
        details={"day": day.isoformat(), "reason": reason},
    )
    return exception


def offer_upsert(
    *, office: Office, service: Service, duration_minutes: int, buffer_minutes: int = 0, active: bool = True
) -> OfferedService:
    offer, _ = OfferedService.objects.update_or_create(
        office=office,
        service=service,
        defaults={"duration_minutes": duration_minutes, "buffer_minutes": buffer_minutes, "active": active},
    )
    selectors.plan_forget(office)
    return offer


def slots_generate(*, office: Office, now: datetime.datetime | None = None, extra_days: int = 7) -> int:
    """Create the units of every active counter from today until ``extra_days`` past the release
    horizon (so a release only makes existing rows visible); existing rows are kept. Returns
    how many rows were asked for."""
    now = now or timezone.now()
    plan_row = OfficePlan.objects.filter(office=office).first()
    if plan_row is None:
        return 0
    plan = selectors.domain_plan(office, plan_row)
    local_now = selectors.local_naive(now)
    first = local_now.date()
    last = schedule.last_released_day(plan, local_now) + datetime.timedelta(days=extra_days)
    holidays = selectors.holidays_for(first, last)
    counters = list(Counter.objects.filter(office=office, active=True))
    rows: list[Slot] = []
    day = first
    while day <= last:
        for start, end in schedule.day_units(plan, day, holidays):
            start_aware, end_aware = selectors.aware(start), selectors.aware(end)
            rows.extend(Slot(office=office, counter=c, start=start_aware, end=end_aware) for c in counters)
        day += datetime.timedelta(days=1)
    Slot.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


# --- Booking ------------------------------------------------------------------------------


def _new_code() -> str:
    return codes.booking_code(secrets.token_bytes(codes.LENGTH))


def _release(appointment: Appointment, status: str, now: datetime.datetime) -> None:
    """End ``appointment``'s claim on its units (they are free again at once)."""
    SlotClaim.objects.filter(appointment=appointment).delete()
    appointment.status = status
    appointment.held_until = None
    fields = ["status", "held_until"]
    if status == Appointment.Status.CANCELLED:
        appointment.cancelled_at = now
        appointment.revision += 1
        fields += ["cancelled_at", "revision"]
    appointment.save(update_fields=fields)


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
    plan_row = OfficePlan.objects.filter(office=office, active=True).first()
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
    appointment_for: Any,
    held_until: datetime.datetime | None,
    now: datetime.datetime,
) -> Appointment:
    """Claim ``units`` consecutive units from ``start`` on some counter, in one transaction each try.

    ``appointment_for(counter)`` creates (or updates) the appointment inside the transaction.
    The unique ``SlotClaim.slot`` decides who wins; a loser tries the next counter.
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
            continue
    raise Conflict(
        "Dieser Termin ist leider schon vergeben. Bitte wählen Sie eine andere Zeit.", code="slot_taken"
    )


def appointment_reserve(
    *,
    office: Office,
    services: Sequence[Service],
    start: datetime.datetime,
    user: Any = None,
    origin: str = "",
    now: datetime.datetime | None = None,
) -> tuple[Appointment, str]:
    """Hold the units for a visit from ``start`` for ``hold_minutes``; returns it and its personal link token.

    Not audited: a hold carries no personal data and lapses by itself; the confirmation is.
    """
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
            code=_new_code(),
            link_nonce=tokens.new_nonce(),
            user=user if getattr(user, "is_authenticated", False) else None,
            origin=origin[:200],
            held_until=held_until,
            created_at=now,
        )
        appointment.services.set(services)
        return appointment

    appointment = _claim(
        office=office,
        start=start,
        units=units,
        slot_minutes=plan_row.slot_minutes,
        appointment_for=create,
        held_until=held_until,
        now=now,
    )
    return appointment, tokens.link_token(appointment)


def _locked(appointment: Appointment) -> Appointment:
    return Appointment.objects.select_for_update().select_related("office").get(pk=appointment.pk)


HOLD_EXPIRED = (
    "Die Reservierung ist abgelaufen; der Termin wurde wieder freigegeben. "
    "Bitte wählen Sie erneut einen Termin."
)


def _expired_hold(appointment: Appointment, now: datetime.datetime) -> bool:
    return (
        appointment.status in Appointment.HOLDING
        and appointment.held_until is not None
        and appointment.held_until < now
    )


def _refuse_expired(appointment: Appointment, now: datetime.datetime) -> None:
    """Lapse an expired hold in a transaction of its own (so it stays lapsed), then refuse."""
    with transaction.atomic():
        current = _locked(appointment)
        expired = _expired_hold(current, now)
        if expired:
            _release(current, Appointment.Status.LAPSED, now)
    if expired or current.status == Appointment.Status.LAPSED:
        raise Conflict(HOLD_EXPIRED, code="hold_expired")


def _check_cap(
    appointment: Appointment, *, email: str = "", user: Any = None, now: datetime.datetime
) -> None:
    """At most ``max_open_per_person`` open future appointments per person (e-mail or account) per service."""
    limit = OfficePlan.objects.get(office=appointment.office).max_open_per_person
    who = Q(user=user) if user is not None else Q(email_normalised=email)
    clash = (
        Appointment.objects.filter(who, start__gt=now, services__in=appointment.services.all())
        .filter(status__in=[Appointment.Status.PRECONFIRMED, Appointment.Status.CONFIRMED])
        .exclude(pk=appointment.pk)
        .values("pk")
        .distinct()
        .count()
    )
    if clash >= limit:
        raise Conflict(
            "Sie haben für diese Leistung schon die höchstmögliche Zahl offener Termine. "
            "Bitte sagen Sie einen davon ab, bevor Sie neu buchen.",
            code="too_many_open",
        )


def _finalise_in_transaction(appointment: Appointment, now: datetime.datetime, *, by: Any) -> None:
    appointment.status = Appointment.Status.CONFIRMED
    appointment.confirmed_at = now
    appointment.held_until = None
    appointment.verify_nonce = ""
    appointment.save(
        update_fields=[
            "status",
            "confirmed_at",
            "held_until",
            "verify_nonce",
            "name",
            "email",
            "email_normalised",
            "user",
        ]
    )
    SlotClaim.objects.filter(appointment=appointment).update(held_until=None)
    audit.record(
        actor=by,
        action="appointment.confirmed",
        target=appointment,
        details={"office": appointment.office_id, "start": str(appointment.start)},
    )
    mails.postbox_deliver(appointment, notice="confirmed")
    pk = appointment.pk
    transaction.on_commit(lambda: mails.send_confirmation.enqueue(appointment_id=pk))
    transaction.on_commit(lambda: _schedule_reminder(pk))


def _schedule_reminder(appointment_id: int) -> None:
    """Defer the reminder to its due time; none when that is too close (the confirmation, sent now,
    is reminder enough; ``mails.reminder_wanted`` checks again when it is due)."""
    appointment = Appointment.objects.filter(pk=appointment_id).first()
    if appointment is None or appointment.start is None:
        return
    backend = mails.send_reminder.get_backend()
    if not backend.supports_defer:
        return  # e.g. the immediate backend in tests: ``reminders_send_due`` (cron) sends them
    due = mails.reminder_due_at(appointment.start)
    if due - timezone.now() < mails.REMINDER_MIN_GAP:
        return
    mails.send_reminder.using(run_after=due).enqueue(
        appointment_id=appointment.pk, start=appointment.start.isoformat()
    )


def _clean_name(name: str) -> str:
    if any(ord(ch) < 32 for ch in name):
        raise InvalidInput("Bitte geben Sie Ihren Namen ohne Zeilenumbrüche an.", code="name_invalid")
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput("Bitte geben Sie Ihren Namen an (ohne Zeilenumbrüche).", code="name_invalid")
    return name


def _clean_email(email: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    email = email.strip()
    try:
        if any(ch in email for ch in "\r\n\0") or len(email) > 254:
            raise ValidationError("line break")
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Bitte geben Sie eine gültige E-Mail-Adresse an.", code="email_invalid") from exc
    return email


def appointment_preconfirm(
    *, appointment: Appointment, name: str, email: str, now: datetime.datetime | None = None
) -> Appointment:
    """Name and e-mail for a held appointment; sends the verification link (valid ``verify_minutes``)."""
    now = now or timezone.now()
    name, email = _clean_name(name), _clean_email(email)
    _refuse_expired(appointment, now)
    with transaction.atomic():
        return _preconfirm(_locked(appointment), name=name, email=email, now=now)


def _preconfirm(appointment: Appointment, *, name: str, email: str, now: datetime.datetime) -> Appointment:
    if _expired_hold(appointment, now):
        raise Conflict(HOLD_EXPIRED, code="hold_expired")
    if appointment.status != Appointment.Status.RESERVED:
        raise Conflict("Für diesen Termin wurden die Angaben schon gemacht.", code="not_reserved")
    _check_cap(appointment, email=email.lower(), now=now)
    plan = OfficePlan.objects.get(office=appointment.office)
    appointment.name, appointment.email, appointment.email_normalised = name, email, email.lower()
    appointment.status = Appointment.Status.PRECONFIRMED
    appointment.verify_nonce = tokens.new_nonce()
    appointment.held_until = now + datetime.timedelta(minutes=plan.verify_minutes)
    appointment.save(
        update_fields=["name", "email", "email_normalised", "status", "verify_nonce", "held_until"]
    )
    SlotClaim.objects.filter(appointment=appointment).update(held_until=appointment.held_until)
    audit.record(
        actor=audit.Actor(type="citizen", label="E-Mail-Buchung"),
        action="appointment.preconfirmed",
        target=appointment,
        details={"office": appointment.office_id},
    )
    pk = appointment.pk
    transaction.on_commit(lambda: mails.send_verification.enqueue(appointment_id=pk))
    return appointment


def appointment_confirm_with_account(
    *, appointment: Appointment, user: Any, now: datetime.datetime | None = None
) -> Appointment:
    """A logged-in citizen confirms directly: the account stands for the verified person."""
    now = now or timezone.now()
    _refuse_expired(appointment, now)
    with transaction.atomic():
        return _confirm_with_account(_locked(appointment), user=user, now=now)


def _confirm_with_account(appointment: Appointment, *, user: Any, now: datetime.datetime) -> Appointment:
    if _expired_hold(appointment, now):
        raise Conflict(HOLD_EXPIRED, code="hold_expired")
    if appointment.status != Appointment.Status.RESERVED:
        raise Conflict("Dieser Termin ist nicht mehr reserviert.", code="not_reserved")
    if appointment.user_id not in (None, user.pk):
        raise NotFound("Diese Reservierung gibt es nicht.", code="appointment_not_found")
    _check_cap(appointment, user=user, now=now)
    appointment.user = user
    appointment.name = user.full_name
    appointment.email = user.email or ""
    appointment.email_normalised = appointment.email.lower()
    _finalise_in_transaction(appointment, now, by=user)
    return appointment


LINK_INVALID = "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet."


def appointment_verify(*, token: str, now: datetime.datetime | None = None) -> Appointment:
    """Confirm by the e-mail link; a used, forged or unknown link is ``NotFound``."""
    now = now or timezone.now()
    found = tokens.appointment_by_verify_token(token)
    if found is None:
        raise NotFound(LINK_INVALID, code="verify_link_invalid")
    _refuse_expired(found, now)
    with transaction.atomic():
        appointment = _locked(found)
        if (
            appointment.verify_nonce != found.verify_nonce
            or appointment.status != Appointment.Status.PRECONFIRMED
        ):
            raise NotFound(LINK_INVALID, code="verify_link_invalid")
        if _expired_hold(appointment, now):
            raise Conflict(HOLD_EXPIRED, code="hold_expired")
        _finalise_in_transaction(appointment, now, by=audit.Actor(type="citizen", label="E-Mail-Buchung"))
        return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: Any = None, now: datetime.datetime | None = None
) -> Appointment:
    """Cancel; the units are free again at once."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    if appointment.status not in (*Appointment.HOLDING, Appointment.Status.CONFIRMED):
        raise Conflict("Dieser Termin kann nicht mehr storniert werden.", code="not_cancellable")
    was_confirmed = appointment.status == Appointment.Status.CONFIRMED
    _release(appointment, Appointment.Status.CANCELLED, now)
    audit.record(
        actor=by or audit.Actor(type="citizen", label="persönlicher Link"),
        action="appointment.cancelled",
        target=appointment,
    )
    if was_confirmed:
        mails.postbox_deliver(appointment, notice="cancelled")
        pk = appointment.pk
        transaction.on_commit(lambda: mails.send_cancellation.enqueue(appointment_id=pk))
    return appointment


def appointment_move(
    *, appointment: Appointment, start: datetime.datetime, now: datetime.datetime | None = None
) -> Appointment:
    """Move a confirmed appointment to ``start`` at the same office; old units are freed in the same
    transaction that claims the new ones, so a failed move keeps the old time."""
    now = now or timezone.now()
    if appointment.status != Appointment.Status.CONFIRMED:
        raise Conflict("Nur bestätigte Termine können verschoben werden.", code="not_movable")
    services = list(appointment.services.all())
    plan_row, units = _check_request(office=appointment.office, services=services, start=start, now=now)
    end = start + units * datetime.timedelta(minutes=plan_row.slot_minutes)

    def move(counter_id: int) -> Appointment:
        current = _locked(appointment)
        if current.status != Appointment.Status.CONFIRMED:
            raise Conflict("Nur bestätigte Termine können verschoben werden.", code="not_movable")
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
            actor=audit.Actor(type="citizen", label="persönlicher Link"),
            action="appointment.moved",
            target=current,
            details={"from": old.isoformat() if old else "", "to": start.isoformat()},
        )
        mails.postbox_deliver(current, notice="moved")
        pk = current.pk
        transaction.on_commit(lambda: mails.send_confirmation.enqueue(appointment_id=pk, moved=True))
        transaction.on_commit(lambda: _schedule_reminder(pk))
        return current

    return _claim(
        office=appointment.office,
        start=start,
        units=units,
        slot_minutes=plan_row.slot_minutes,
        appointment_for=move,
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


def reminders_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send the reminder for every confirmed appointment of tomorrow not yet reminded (cron safety
    net beside the deferred tasks); returns how many were sent."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    lower = selectors.aware(datetime.datetime.combine(tomorrow, datetime.time()))
    due = Appointment.objects.filter(
        status=Appointment.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        start__gte=lower,
        start__lt=lower + datetime.timedelta(days=1),
    ).exclude(email="")
    sent = 0
    for appointment in due:
        if appointment.start is not None:
            sent += mails.remind(appointment_id=appointment.pk, start=appointment.start.isoformat())
    return sent


# --- At the office ------------------------------------------------------------------------


def _next_queue_number(office: Office, prefix: str, now: datetime.datetime) -> str:
    since = selectors.aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
    count = (
        Appointment.objects.filter(office=office, checked_in_at__gte=since).exclude(queue_number="").count()
    )
    return f"{prefix}{count + 1:03d}"


@transaction.atomic
def appointment_check_in(
    *, office: Office, code: str, by: Any, now: datetime.datetime | None = None
) -> Appointment:
    """Check a visitor in by booking code (today's confirmed appointments at ``office`` only)."""
    now = now or timezone.now()
    OfficePlan.objects.select_for_update().filter(office=office).first()  # serialises queue numbers
    normalised = codes.normalise_code(code)
    today = selectors.aware(datetime.datetime.combine(timezone.localdate(now), datetime.time()))
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
    *, office: Office, services: Sequence[Service], by: Any, now: datetime.datetime | None = None
) -> Appointment:
    """A ticket for a visitor without appointment, in the same queue."""
    now = now or timezone.now()
    if not services or len(selectors.offered_for(office=office, services=services)) != len(services):
        raise NotFound("Diese Leistung wird hier nicht angeboten.", code="service_not_offered")
    OfficePlan.objects.select_for_update().filter(office=office).first()
    appointment = Appointment.objects.create(
        office=office,
        kind=Appointment.Kind.WALK_IN,
        status=Appointment.Status.CHECKED_IN,
        code=_new_code(),
        link_nonce="",
        checked_in_at=now,
        created_at=now,
        queue_number=_next_queue_number(office, "W", now),
    )
    appointment.services.set(services)
    audit.record(actor=by, action="appointment.walk_in", target=appointment)
    return appointment


def call_next(
    *, office: Office, counter: Counter, by: Any, now: datetime.datetime | None = None
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
    *, appointment: Appointment, by: Any, now: datetime.datetime | None = None
) -> Appointment:
    appointment = _locked(appointment)
    if appointment.status != Appointment.Status.CALLED:
        raise Conflict("Nur aufgerufene Besuche können abgeschlossen werden.", code="not_called")
    appointment.status = Appointment.Status.DONE
    appointment.finished_at = now or timezone.now()
    appointment.save(update_fields=["status", "finished_at"])
    audit.record(actor=by, action="appointment.done", target=appointment)
    return appointment


@transaction.atomic
def appointment_no_show(
    *, appointment: Appointment, by: Any, now: datetime.datetime | None = None
) -> Appointment:
    """Mark a booked visitor who did not come (or did not answer the call)."""
    appointment = _locked(appointment)
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
