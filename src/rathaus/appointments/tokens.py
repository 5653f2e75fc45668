"""The personal link and the e-mail verification link of an appointment, and the booking form's
one-time token.

A token is ``<pk>-<HMAC-SHA256(SECRET_KEY, purpose, pk, nonce)>``: 256 bits that cannot be
guessed, derivable again for later e-mails (reminder) without storing the token itself.
Only the random nonce is stored; emptying it invalidates the link (verification: once).

The form token is a random value (256 bits) in each page of free times. A reservation sent
with it stores the SHA-256 of token and chosen time as ``Appointment.request_key`` (unique), so
the same submission sent again (a double click, a reload) finds the hold it made instead of
making a second one (decision 0085). Another time chosen on the same page is another request.
"""

from __future__ import annotations

import base64
import hashlib
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


def appointment_by_id(pk: int) -> Appointment | None:
    """The appointment with this id (for its personal link in a replayed API answer), or None."""
    return Appointment.objects.filter(pk=pk).first()


def appointment_by_verify_token(token: str) -> Appointment | None:
    parsed = _parse(token)
    if parsed is None:
        return None
    appointment = Appointment.objects.select_related("office").filter(pk=parsed[0]).first()
    if appointment is None or not appointment.verify_nonce:
        return None
    expected = _mac(_VERIFY, appointment.pk, appointment.verify_nonce)
    return appointment if hmac.compare_digest(expected, parsed[1]) else None


FORM_TOKEN = re.compile(r"\A[A-Za-z0-9_-]{43}\Z")


def form_token() -> str:
    """A new one-time token for a page of free times."""
    return secrets.token_urlsafe(32)


def request_key(token: str, choice: str) -> str:
    """The key of the reservation of ``choice`` sent with the form token ``token``."""
    return hashlib.sha256(f"{token}\n{choice}".encode()).hexdigest()


def appointment_by_request_key(key: str) -> Appointment | None:
    """The appointment this request made already, or None."""
    return Appointment.objects.filter(request_key=key).first()
