"""Writes that make a hold a booking: name and e-mail (then the link in the e-mail), or the
citizen account's one click.

Life cycle: reserved (a short hold after the proof of work) → preconfirmed (name and e-mail
given, waiting for the verification link) → confirmed. A hold that runs out lapses and its
units count as free at once. Each of these writes decides the lapse and acts in one transaction
under the hold's row lock (``_common.unless_lapsed``): a hold is either confirmed or lapsed,
never both (decision 0084).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q

from rathaus.accounts.types import User
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .. import notices, tokens
from ..models import Appointment, OfficePlan, SlotClaim
from ._common import CITIZEN_BY_MAIL, By, booking_write, mail_on_commit, unless_lapsed

LINK_INVALID = "Dieser Bestätigungslink ist ungültig oder wurde bereits verwendet."


def _clean_name(name: str) -> str:
    if any(ord(ch) < 32 for ch in name):
        raise InvalidInput("Bitte geben Sie Ihren Namen ohne Zeilenumbrüche an.", code="name_invalid")
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInput("Bitte geben Sie Ihren Namen an (ohne Zeilenumbrüche).", code="name_invalid")
    return name


def _clean_email(email: str) -> str:
    email = email.strip()
    try:
        if any(ch in email for ch in "\r\n\0") or len(email) > 254:
            raise ValidationError("line break")
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Bitte geben Sie eine gültige E-Mail-Adresse an.", code="email_invalid") from exc
    return email


def _check_cap(
    appointment: Appointment, *, email: str = "", user: User | None = None, now: datetime.datetime
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


def _finalise_in_transaction(appointment: Appointment, now: datetime.datetime, *, by: By) -> None:
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
    notices.postbox_deliver(appointment, notice="confirmed")
    # The confirmation task defers the reminder once the confirmation has gone out.
    mail_on_commit(
        "send_confirmation",
        key=f"appointments.confirmation:{appointment.pk}:{appointment.revision}",
        appointment_id=appointment.pk,
    )


@booking_write
def appointment_preconfirm(
    *, appointment: Appointment, name: str, email: str, now: datetime.datetime | None = None
) -> Appointment:
    """Name and e-mail for a held appointment; sends the verification link (valid ``verify_minutes``)."""
    name, email = _clean_name(name), _clean_email(email)
    return unless_lapsed(
        appointment, now, lambda current, moment: _preconfirm(current, name=name, email=email, now=moment)
    )


def _preconfirm(appointment: Appointment, *, name: str, email: str, now: datetime.datetime) -> Appointment:
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
        actor=CITIZEN_BY_MAIL,
        action="appointment.preconfirmed",
        target=appointment,
        details={"office": appointment.office_id},
    )
    mail_on_commit(
        "send_verification", key=f"appointments.verification:{appointment.pk}", appointment_id=appointment.pk
    )
    return appointment


@booking_write
def appointment_confirm_with_account(
    *, appointment: Appointment, user: User, now: datetime.datetime | None = None
) -> Appointment:
    """A logged-in citizen confirms directly: the account stands for the verified person."""
    return unless_lapsed(
        appointment, now, lambda current, moment: _confirm_with_account(current, user=user, now=moment)
    )


def _confirm_with_account(appointment: Appointment, *, user: User, now: datetime.datetime) -> Appointment:
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


@booking_write
def appointment_verify(*, token: str, now: datetime.datetime | None = None) -> Appointment:
    """Confirm by the e-mail link; a used, forged or unknown link is ``NotFound``, a hold that has
    lapsed (before this confirmation took its lock) ``HOLD_EXPIRED``."""
    found = tokens.appointment_by_verify_token(token)
    if found is None:
        raise NotFound(LINK_INVALID, code="verify_link_invalid")

    def confirm(appointment: Appointment, moment: datetime.datetime) -> Appointment:
        if (
            appointment.verify_nonce != found.verify_nonce
            or appointment.status != Appointment.Status.PRECONFIRMED
        ):
            raise NotFound(LINK_INVALID, code="verify_link_invalid")
        _finalise_in_transaction(appointment, moment, by=CITIZEN_BY_MAIL)
        return appointment

    return unless_lapsed(found, now, confirm)
