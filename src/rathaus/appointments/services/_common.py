"""Helpers shared by the app's services (private to the package)."""

from __future__ import annotations

import datetime
import secrets
from typing import TypeAlias

from django.db import transaction

from rathaus.accounts.types import User
from rathaus.domain.appointments import codes
from rathaus.kernel import audit
from rathaus.kernel import tasks as kernel_tasks
from rathaus.kernel.exceptions import Conflict

from ..models import Appointment, SlotClaim

# Who acts: a person's account, or an ``audit.Actor`` (the citizen behind a link, a system job).
By: TypeAlias = User | audit.Actor

CITIZEN_BY_LINK = audit.Actor(type="citizen", label="persönlicher Link")
CITIZEN_BY_MAIL = audit.Actor(type="citizen", label="E-Mail-Buchung")

HOLD_EXPIRED = (
    "Die Reservierung ist abgelaufen; der Termin wurde wieder freigegeben. "
    "Bitte wählen Sie erneut einen Termin."
)


def new_code() -> str:
    """A fresh booking code (see ``domain.appointments.codes``)."""
    return codes.booking_code(secrets.token_bytes(codes.LENGTH))


def locked(appointment: Appointment) -> Appointment:
    """The appointment read again under a row lock (inside the caller's transaction)."""
    return Appointment.objects.select_for_update().select_related("office").get(pk=appointment.pk)


def release(appointment: Appointment, status: str, now: datetime.datetime) -> None:
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


def expired_hold(appointment: Appointment, now: datetime.datetime) -> bool:
    return (
        appointment.status in Appointment.HOLDING
        and appointment.held_until is not None
        and appointment.held_until < now
    )


def refuse_expired(appointment: Appointment, now: datetime.datetime) -> None:
    """Lapse an expired hold in a transaction of its own (so it stays lapsed), then refuse."""
    with transaction.atomic():
        current = locked(appointment)
        expired = expired_hold(current, now)
        if expired:
            release(current, Appointment.Status.LAPSED, now)
    if expired or current.status == Appointment.Status.LAPSED:
        raise Conflict(HOLD_EXPIRED, code="hold_expired")


def mail_on_commit(task: str, *, key: str, **kwargs: int | bool | str) -> None:
    """Enqueue the e-mail task ``rathaus.appointments.mails.<task>`` once the transaction commits,
    once per ``key``. By name, because the tasks call the services back."""
    path = f"rathaus.appointments.mails.{task}"
    transaction.on_commit(lambda: kernel_tasks.enqueue_once(path, key=key, **kwargs))
