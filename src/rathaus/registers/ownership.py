"""Which office keeps which register, the check that a member of staff works in one, and the
change history every changing service writes (used by ``changes`` and ``events``)."""

from __future__ import annotations

import datetime
from typing import Any

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.kernel import audit
from rathaus.kernel.exceptions import PermissionDenied

from .models import Person
from .models_changes import Correction, Register, RegisterChange, RegisterOffice

__all__ = ["history_write", "register_office_set", "staff_register_office", "text_value"]


def register_office_set(*, register: str, office: Office, by: audit.ActorLike) -> RegisterOffice:
    """Record that ``office`` keeps ``register`` (idempotent; the demo city and operators)."""
    row, created = RegisterOffice.objects.get_or_create(register=Register(register).value, office=office)
    if created:
        audit.record(actor=by, action="register_office.set", target=row, details={"register": register})
    return row


def _register_name(register: str) -> str:
    return str(Register(register).label)


def staff_register_office(*, by: Any, register: str, office: Office | None = None) -> Office:
    """The office in which ``by`` changes ``register``: ``office`` if given, else the first (by
    name) they work in that keeps it. ``PermissionDenied`` when they are not staff of such an office."""
    name = _register_name(register)
    if not isinstance(by, User) or by.kind != User.Kind.STAFF or not by.is_active:
        raise PermissionDenied(f"Das {name} ändern nur Beschäftigte der Stelle, die es führt.")
    keeping = RegisterOffice.objects.filter(register=register).values("office_id")
    offices = account_selectors.working_offices(by).filter(pk__in=keeping)
    if office is not None:
        offices = offices.filter(pk=office.pk)
    chosen = offices.first()
    if chosen is None and office is not None:
        raise PermissionDenied(
            f"Das dürfen nur Beschäftigte der Dienststelle {office.name}, die das {name} führt.",
            code="not_register_office",
        )
    if chosen is None:
        raise PermissionDenied(
            f"Sie arbeiten in keiner Dienststelle, die das {name} führt; Änderungen daran sind Ihnen "
            "nicht erlaubt.",
            code="not_register_office",
        )
    return chosen


def by_name(by: Any) -> str:
    if isinstance(by, User):
        return (by.get_full_name() or by.get_username())[:200]
    if isinstance(by, audit.Actor):
        return by.label[:200] or "System"
    return str(by or "System")[:200]


def by_id(by: Any) -> int | None:
    return by.pk if isinstance(by, User) else None


def history_write(
    person: Person,
    *,
    register: str,
    kind: str,
    office: Office | None,
    by: Any,
    changes: dict[str, tuple[Any, Any]],
    reason: str = "",
    correction: Correction | None = None,
) -> None:
    """One history row per changed field (``changes``: field → (old, new))."""
    RegisterChange.objects.bulk_create(
        RegisterChange(
            person=person,
            register=register,
            kind=kind,
            office=office,
            by_user_id=by_id(by),
            by_name=by_name(by),
            field=field,
            old_value=text_value(old),
            new_value=text_value(new),
            reason=reason[:500],
            correction=correction,
        )
        for field, (old, new) in changes.items()
        if text_value(old) != text_value(new)
    )


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)[:300]
