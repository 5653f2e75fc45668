"""Helpers shared by the app's services (private to the package)."""

from __future__ import annotations

import datetime
import functools
import secrets
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeAlias, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.appointments import codes
from rathaus.kernel import audit, fragments, retry
from rathaus.kernel import tasks as kernel_tasks
from rathaus.kernel.exceptions import Conflict

from .. import claim_guard, selectors
from ..models import Appointment, SlotClaim

P = ParamSpec("P")
R = TypeVar("R")

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


GUARD_REFUSED = (
    "Dieser Termin hat sich gerade geändert; die Änderung wurde nicht gespeichert. "
    "Bitte laden Sie die Seite neu und versuchen Sie es noch einmal."
)


def booking_write(func: Callable[P, R]) -> Callable[P, R]:
    """A write of the booking's life cycle (it opens its own transactions): repeated after a
    deadlock or serialization failure (``kernel.retry``: ``Busy`` when that keeps happening), and a
    refusal of the database's claim guard (``claim_guard``) answered as a ``Conflict``; never a 500."""
    repeated = retry.retrying(func)

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return repeated(*args, **kwargs)
        except IntegrityError as error:
            if claim_guard.refused(error):
                raise Conflict(GUARD_REFUSED, code="booking_changed") from error
            raise

    return wrapper


def locked(appointment: Appointment) -> Appointment:
    """The appointment read again under a row lock (inside the caller's transaction); only its
    own row is locked, not its office's."""
    return Appointment.objects.select_for_update(of=("self",)).select_related("office").get(pk=appointment.pk)


def release(appointment: Appointment, status: str, now: datetime.datetime) -> None:
    """End ``appointment``'s claim on its units (they are free again at once). The caller holds
    its row lock; the status changes first, then the claims go (the database's claim guard
    keeps a confirmed appointment's claims)."""
    appointment.status = status
    appointment.held_until = None
    fields = ["status", "held_until"]
    if status == Appointment.Status.CANCELLED:
        appointment.cancelled_at = now
        appointment.revision += 1
        fields += ["cancelled_at", "revision"]
    appointment.save(update_fields=fields)
    SlotClaim.objects.filter(appointment=appointment).delete()
    free_units_changed()


def free_units_changed() -> None:
    """Claims or units changed: the cached answers of availability across offices are out of date
    once this transaction commits (``selectors.FREE_SOURCE``)."""
    fragments.renew_on_commit(selectors.FREE_SOURCE)


def expired_hold(appointment: Appointment, now: datetime.datetime) -> bool:
    return (
        appointment.status in Appointment.HOLDING
        and appointment.held_until is not None
        and appointment.held_until < now
    )


def lapse_holds(candidates: Iterable[int] | None, now: datetime.datetime) -> list[int]:
    """Lapse the holds among ``candidates`` (appointment pks; None: all) that ran out before
    ``now``, inside the caller's transaction; returns their pks.

    The lock order of every booking path (decision 0084): appointment rows first – here in one
    statement, ordered by pk –, their slot claims after. The condition is checked under the lock:
    PostgreSQL evaluates it again on the row as a concurrent confirmation left it, so a hold
    confirmed meanwhile is not lapsed, and its claims stay."""
    holds = Appointment.objects.select_for_update().filter(status__in=Appointment.HOLDING, held_until__lt=now)
    if candidates is not None:
        holds = holds.filter(pk__in=list(candidates))
    lapsed = list(holds.order_by("pk").values_list("pk", flat=True))
    if lapsed:
        Appointment.objects.filter(pk__in=lapsed).update(status=Appointment.Status.LAPSED, held_until=None)
        SlotClaim.objects.filter(appointment_id__in=lapsed).delete()
        free_units_changed()
    return lapsed


def unless_lapsed(
    appointment: Appointment,
    now: datetime.datetime | None,
    act: Callable[[Appointment, datetime.datetime], R],
) -> R:
    """``act(appointment locked, moment)`` in one transaction, unless the hold has lapsed.

    The lapse is decided once, here, under the appointment's row lock – the lock the lapse of a
    reservation's housekeeping (``lapse_holds``) takes too – with the time read once the lock is
    held (``now`` in tests): either the hold lapses (committed, then ``HOLD_EXPIRED``) or ``act``
    runs on the live hold, never both."""
    with transaction.atomic():
        current = locked(appointment)
        moment = now or timezone.now()
        if current.status != Appointment.Status.LAPSED and not expired_hold(current, moment):
            return act(current, moment)
        if current.status != Appointment.Status.LAPSED:
            release(current, Appointment.Status.LAPSED, moment)
    raise Conflict(HOLD_EXPIRED, code="hold_expired")


def mail_on_commit(task: str, *, key: str, **kwargs: int | bool | str) -> None:
    """Enqueue the e-mail task ``rathaus.appointments.mails.<task>`` once the transaction commits,
    once per ``key``. By name, because the tasks call the services back."""
    path = f"rathaus.appointments.mails.{task}"
    transaction.on_commit(lambda: kernel_tasks.enqueue_once(path, key=key, **kwargs))
