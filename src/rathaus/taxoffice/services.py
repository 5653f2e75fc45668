"""Writes of the online tax office: a return is received, staff move its status on.

Public surface: ``tax_return_receive`` and ``tax_return_status_change``; other apps import
these and ``selectors`` only.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts import services as account_services
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.kernel import audit, notify
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound
from rathaus.registers.types import Person

from . import workflow
from .models import TaxReturn, TaxReturnEvent

MAX_NOTE = 2000


@transaction.atomic
def tax_return_receive(
    *,
    person: Person,
    office: Office,
    tax_year: int,
    received_on: dt.date,
    by: User | str | None,
) -> TaxReturn:
    """Record that ``person``'s return for ``tax_year`` arrived at ``office`` on ``received_on``."""
    if TaxReturn.objects.filter(person=person, tax_year=tax_year).exists():
        raise Conflict(_("Für dieses Steuerjahr liegt bereits eine Steuererklärung vor."))
    tax_return = TaxReturn.objects.create(
        person=person,
        office=office,
        tax_year=tax_year,
        reference=f"ESt-{tax_year}-{person.register_number}",
        received_on=received_on,
    )
    TaxReturnEvent.objects.create(
        tax_return=tax_return,
        status=TaxReturn.Status.RECEIVED,
        at=timezone.make_aware(dt.datetime.combine(received_on, dt.time(9, 0))),
        by=by if isinstance(by, User) else None,
    )
    audit.record(
        actor=by, action="taxoffice.return_received", target=tax_return, details={"tax_year": tax_year}
    )
    return tax_return


def _refuse_transition(tax_return: TaxReturn, status: str) -> Conflict:
    current = TaxReturn.Status(tax_return.status).label
    wanted = TaxReturn.Status(status).label
    allowed = ", ".join(str(TaxReturn.Status(s).label) for s in workflow.allowed_next(tax_return.status))
    return Conflict(
        _(
            "Aus dem Stand „%(current)s“ kann die Erklärung nicht in „%(wanted)s“ wechseln. "
            "Möglich: %(allowed)s."
        )
        % {"current": current, "wanted": wanted, "allowed": allowed or _("keine Änderung")}
    )


@transaction.atomic
def tax_return_status_change(
    *, tax_return_id: int, status: str, note: str, by: User, expected_status: str | None = None
) -> TaxReturn:
    """Move a return to ``status`` (``workflow.TRANSITIONS``), with history, audit entry and a
    postbox message to the taxpayer. ``expected_status``: the status the clerk saw; a return
    changed meanwhile is refused rather than overwritten."""
    if status not in TaxReturn.Status.values:
        raise InvalidInput(_("Diesen Stand gibt es nicht."))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("Die Notiz ist zu lang (höchstens %(n)s Zeichen).") % {"n": MAX_NOTE})
    offices = account_selectors.working_offices(by).filter(kind=Office.Kind.TAX_OFFICE).values("pk")
    locked = (
        TaxReturn.objects.select_for_update()
        .select_related("office", "person")
        .filter(pk=tax_return_id, office__in=offices)
        .first()
    )
    if locked is None:
        raise NotFound(_("Diese Steuererklärung gibt es nicht oder Sie bearbeiten sie nicht."))
    if expected_status and expected_status != locked.status:
        raise Conflict(
            _("Der Stand wurde inzwischen geändert. Bitte prüfen Sie ihn und ändern Sie ihn dann.")
        )
    if not workflow.may_go(locked.status, status):
        raise _refuse_transition(locked, status)
    now = timezone.now()
    previous = locked.status
    locked.status = status
    if status == TaxReturn.Status.ASSESSMENT_SENT and locked.assessed_on is None:
        locked.assessed_on = timezone.localdate(now)
    locked.save(update_fields=["status", "assessed_on", "updated_at"])
    TaxReturnEvent.objects.create(tax_return=locked, status=status, at=now, note=note, by=by)
    audit.record(
        actor=by,
        action="taxoffice.status_changed",
        target=locked,
        details={"from": previous, "to": status, "note": note},
    )
    _tell_taxpayer(locked, note=note, by=by)
    return locked


def _tell_taxpayer(tax_return: TaxReturn, *, note: str, by: User) -> None:
    recipient = account_services.citizen_account_for_person(person=tax_return.person)
    label = TaxReturn.Status(tax_return.status).label
    body = _("Der Stand Ihrer Einkommensteuererklärung %(year)s (%(reference)s) ist jetzt: %(status)s.") % {
        "year": tax_return.tax_year,
        "reference": tax_return.reference,
        "status": label,
    }
    if note:
        body += "\n\n" + _("Hinweis des Finanzamts:") + "\n" + note
    notify.postbox_send(
        recipient=recipient,
        subject=_("Ihre Steuererklärung %(year)s: %(status)s")
        % {"year": tax_return.tax_year, "status": label},
        body=body,
        sender_label=tax_return.office.name,
        sent_by=by,
        link=(reverse("taxoffice:mine-detail", args=[tax_return.pk]), _("Stand ansehen")),
    )
