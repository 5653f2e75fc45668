"""The citizen's copy of everything Rathaus holds about them (Art. 15 Abs. 3 DSGVO), from the
Datenschutzcockpit: the register data, consents and exchanges of the registers, and through the
other apps' selectors the account, the E-Akte cases about the person, appointments, payment
claims and the postbox messages. Used by the cockpit views; read only for the person themself
(a data subject reading their own data is not a disclosure and is not audited).
"""

from __future__ import annotations

from typing import Any

from rathaus.accounts.types import User
from rathaus.appointments import selectors as appointment_selectors
from rathaus.efile import selectors as efile_selectors
from rathaus.kernel import notify
from rathaus.payments import selectors as payment_selectors

from .cockpit import cockpit_export
from .plain import plain
from .selectors import own_person_overview

FORMAT = "rathaus-auskunft-art15/1"


def _account(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.get_full_name(),
        "email": user.email,
        "registered_at": plain(user.date_joined),
        "last_login": plain(user.last_login),
    }


def _cases(person_id: int) -> list[dict[str, Any]]:
    return [
        {
            "aktenzeichen": case.case_file.aktenzeichen,
            "subject": case.subject,
            "office": case.office.name,
            "status": str(case.get_status_display()),
            "opened_at": plain(case.opened_at),
            "closed_at": plain(case.closed_at),
        }
        for case in efile_selectors.cases_about_person(person_id=person_id)
    ]


def _appointments(user: User) -> list[dict[str, Any]]:
    return [
        {
            "code": appointment.code,
            "office": appointment.office.name,
            "services": [service.name for service in appointment.services.all()],
            "start": plain(appointment.start),
            "status": str(appointment.get_status_display()),
            "name": appointment.name,
            "email": appointment.email,
            "booked_at": plain(appointment.created_at),
        }
        for appointment in appointment_selectors.appointments_of_user(user=user)
    ]


def _claims(user: User) -> list[dict[str, Any]]:
    return [
        {
            "kassenzeichen": claim.kassenzeichen,
            "office": claim.office.name,
            "purpose": claim.purpose,
            "amount": plain(claim.amount),
            "paid": plain(claim.paid_total),
            "status": str(claim.get_status_display()),
            "due_on": plain(claim.due_on),
            "created_at": plain(claim.created_at),
        }
        for claim in payment_selectors.claims_of_user(user=user).select_related("office")
    ]


def _postbox(user: User) -> list[dict[str, Any]]:
    return [
        {
            "sender": message.sender_label,
            "subject": message.subject,
            "body": message.body,
            "received_at": plain(message.created_at),
            "read_at": plain(message.read_at),
        }
        for message in notify.postbox_messages(user=user)
    ]


def art15_export(*, user: User) -> dict[str, Any]:
    """Everything Rathaus holds about the citizen ``user`` (with a register person), as JSON."""
    person_id = int(user.person_id)  # type: ignore[arg-type]
    cockpit = cockpit_export(person_id=person_id)
    return {
        "format": FORMAT,
        "created_at": cockpit["created_at"],
        "legal_basis": "Art. 15 DSGVO",
        "account": _account(user),
        "register": plain(own_person_overview(person_id=person_id)),
        "consents": cockpit["consents"],
        "exchanges": cockpit["exchanges"],
        "cases": _cases(person_id),
        "appointments": _appointments(user),
        "payment_claims": _claims(user),
        "postbox": _postbox(user),
    }
