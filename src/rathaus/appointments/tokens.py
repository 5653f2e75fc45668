"""The personal link and the e-mail verification link of an appointment.

A token is ``<pk>-<HMAC-SHA256(SECRET_KEY, purpose, pk, nonce)>``: 256 bits that cannot be
guessed, derivable again for later e-mails (reminder) without storing the token itself.
Only the random nonce is stored; emptying it invalidates the link (verification: once).
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets

from django.utils.crypto import salted_hmac

from rathaus.domain.parse import MAX_ID, InputError, ascii_int

from .models import Appointment

_LINK = "rathaus.appointments.link"
_VERIFY = "rathaus.appointments.verify"


def new_nonce() -> str:
    return secrets.token_hex(16)


def _mac(purpose: str, pk: int, nonce: str) -> str:
    digest = salted_hmac(purpose, f"{pk}:{nonce}", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_token(appointment: Appointment) -> str:
    return f"{appointment.pk}-{_mac(_LINK, appointment.pk, appointment.link_nonce)}"


def verify_token(appointment: Appointment) -> str:
    if not appointment.verify_nonce:
        raise ValueError("the verification link was used already")
    return f"{appointment.pk}-{_mac(_VERIFY, appointment.pk, appointment.verify_nonce)}"


_MAC = re.compile(r"[A-Za-z0-9_-]{43}")


def _parse(token: str) -> tuple[int, str] | None:
    """``(pk, mac)`` of a well-formed token: ASCII digits ("²" and "٣" are not), a base64url MAC."""
    pk, _, mac = (token or "").partition("-")
    try:
        number = ascii_int(pk, lo=1, hi=MAX_ID)
    except InputError:
        return None
    # compare_digest refuses non-ASCII text with a TypeError: check the alphabet first.
    return (number, mac) if _MAC.fullmatch(mac) else None


def appointment_by_link(token: str) -> Appointment | None:
    """The appointment this personal link belongs to, or None (also for a forged one)."""
    parsed = _parse(token)
    if parsed is None:
        return None
    appointment = Appointment.objects.select_related("office").filter(pk=parsed[0]).first()
    if appointment is None or not appointment.link_nonce:
        return None
    expected = _mac(_LINK, appointment.pk, appointment.link_nonce)
    return appointment if hmac.compare_digest(expected, parsed[1]) else None


def appointment_by_verify_token(token: str) -> Appointment | None:
    parsed = _parse(token)
    if parsed is None:
        return None
    appointment = Appointment.objects.select_related("office").filter(pk=parsed[0]).first()
    if appointment is None or not appointment.verify_nonce:
        return None
    expected = _mac(_VERIFY, appointment.pk, appointment.verify_nonce)
    return appointment if hmac.compare_digest(expected, parsed[1]) else None
