"""XBezahldienste: the interface between online services and payment services of public
administration in Germany (standard of the IT-Planungsrat, in force since November 2023).

What is modelled here follows the publicly documented message shapes:

* ``PaymentRequest``: ``requestId`` (assigned by the online service), ``requestTimestamp``,
  ``currency`` (only ``EUR``), ``grossAmount``, ``purpose``, ``description``,
  ``redirectUrl``, ``items`` (each with ``id``, ``reference`` — here the Kassenzeichen —,
  ``description``, ``quantity``, ``singlePrice``, ``grossAmount``, ``bookingData``), and
  ``requestor`` (the ordering party).
* ``PaymentInformation``: ``transactionId``, ``transactionUrl`` (where the payer goes),
  ``transactionReference``, ``transactionTimestamp``, ``paymentMethod``, ``status``
  (``INITIAL``, ``PAYED`` — sic, as in the standard —, ``FAILED``, ``CANCELED``,
  ``TIMEOUT``), ``statusDetail``.
* ``PaymentTransaction``: the pair of both, as the payment service answers.
* Payment policies per service (Bezahlart der Leistung): none, optional, mandatory before
  submission, deferred (invoice after the service).

Deviations (see docs/payments.md): the standard has the online service *pull* the status
after the redirect; the push ``Notification`` with an event id and an HMAC-SHA256
signature is an addition of Rathaus, so that at-least-once delivery and the pull converge
on one idempotent status change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "FINAL_STATUSES",
    "POLICIES",
    "STATUSES",
    "MessageError",
    "claim_at_submission",
    "submission_allowed",
    "Notification",
    "PaymentInformation",
    "PaymentItem",
    "PaymentRequest",
    "parse_notification",
    "sign",
    "status_may_follow",
    "verify_signature",
]

STATUSES = ("INITIAL", "PAYED", "FAILED", "CANCELED", "TIMEOUT")
FINAL_STATUSES = frozenset({"PAYED", "FAILED", "CANCELED", "TIMEOUT"})
# Payment policy of a service: none, optional, mandatory before submission, deferred.
POLICIES = ("none", "optional", "mandatory", "deferred")
SIGNATURE_PREFIX = "sha256="


class MessageError(ValueError):
    """A message does not have the required shape; German message."""


def _amount(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MessageError(f"{where}: Betrag fehlt oder ist keine Zahl.")
    try:
        # Floats in JSON are read through their shortest repr, never their binary value.
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    except InvalidOperation:
        raise MessageError(f"{where}: „{value}“ ist kein Betrag.") from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise MessageError(f"{where}: Beträge haben höchstens zwei Nachkommastellen.")
    return amount


@dataclass(frozen=True)
class PaymentItem:
    id: str
    reference: str
    description: str
    gross_amount: Decimal
    quantity: int = 1
    booking_data: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reference": self.reference,
            "description": self.description,
            "quantity": self.quantity,
            "singlePrice": f"{self.gross_amount / self.quantity:.2f}",
            "grossAmount": f"{self.gross_amount:.2f}",
            "bookingData": dict(self.booking_data),
        }


@dataclass(frozen=True)
class PaymentRequest:
    request_id: str
    request_timestamp: str
    gross_amount: Decimal
    purpose: str
    description: str
    redirect_url: str
    items: tuple[PaymentItem, ...]
    requestor: dict[str, str] = field(default_factory=dict)
    currency: str = "EUR"

    def __post_init__(self) -> None:
        if self.currency != "EUR":
            raise MessageError("XBezahldienste sieht nur die Währung EUR vor.")
        if self.gross_amount <= 0:
            raise MessageError("Der Betrag einer Zahlungsanforderung muss größer als null sein.")
        if sum((i.gross_amount for i in self.items), Decimal("0")) != self.gross_amount:
            raise MessageError("Die Summe der Positionen entspricht nicht dem Gesamtbetrag.")
        if not self.request_id or len(self.request_id) > 64:
            raise MessageError("Die requestId muss 1 bis 64 Zeichen lang sein.")

    def to_json(self) -> dict[str, Any]:
        return {
            "requestId": self.request_id,
            "requestTimestamp": self.request_timestamp,
            "currency": self.currency,
            "grossAmount": f"{self.gross_amount:.2f}",
            "purpose": self.purpose,
            "description": self.description,
            "redirectUrl": self.redirect_url,
            "items": [item.to_json() for item in self.items],
            "requestor": dict(self.requestor),
        }

    @classmethod
    def from_json(cls, data: Any) -> PaymentRequest:
        if not isinstance(data, dict):
            raise MessageError("Die Zahlungsanforderung muss ein JSON-Objekt sein.")
        try:
            items = tuple(
                PaymentItem(
                    id=str(item["id"]),
                    reference=str(item.get("reference", "")),
                    description=str(item.get("description", "")),
                    quantity=int(item.get("quantity", 1)),
                    gross_amount=_amount(item["grossAmount"], "items.grossAmount"),
                    booking_data={str(k): str(v) for k, v in dict(item.get("bookingData") or {}).items()},
                )
                for item in data.get("items") or []
            )
            return cls(
                request_id=str(data["requestId"]),
                request_timestamp=str(data.get("requestTimestamp", "")),
                currency=str(data.get("currency", "EUR")),
                gross_amount=_amount(data["grossAmount"], "grossAmount"),
                purpose=str(data.get("purpose", ""))[:27],
                description=str(data.get("description", "")),
                redirect_url=str(data.get("redirectUrl", "")),
                items=items,
                requestor={str(k): str(v) for k, v in dict(data.get("requestor") or {}).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, MessageError):
                raise
            raise MessageError(f"Die Zahlungsanforderung ist unvollständig: {exc}") from None


@dataclass(frozen=True)
class PaymentInformation:
    transaction_id: str
    status: str
    transaction_url: str = ""
    transaction_reference: str = ""
    transaction_timestamp: str = ""
    payment_method: str = ""
    status_detail: str = ""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise MessageError(f"Unbekannter Zahlungsstatus „{self.status}“.")

    def to_json(self) -> dict[str, Any]:
        return {
            "transactionId": self.transaction_id,
            "transactionUrl": self.transaction_url,
            "transactionReference": self.transaction_reference,
            "transactionTimestamp": self.transaction_timestamp,
            "paymentMethod": self.payment_method,
            "status": self.status,
            "statusDetail": self.status_detail,
        }

    @classmethod
    def from_json(cls, data: Any) -> PaymentInformation:
        if not isinstance(data, dict) or "transactionId" not in data or "status" not in data:
            raise MessageError("paymentInformation braucht transactionId und status.")
        return cls(
            transaction_id=str(data["transactionId"]),
            status=str(data["status"]),
            transaction_url=str(data.get("transactionUrl", "")),
            transaction_reference=str(data.get("transactionReference", "")),
            transaction_timestamp=str(data.get("transactionTimestamp", "")),
            payment_method=str(data.get("paymentMethod", "")),
            status_detail=str(data.get("statusDetail", "")),
        )


def submission_allowed(policy: str, *, paid: bool) -> bool:
    """Whether an application may be submitted under a service's payment policy:
    ``mandatory`` needs the payment first; ``none``, ``optional`` and ``deferred`` (the
    invoice follows the service) do not."""
    if policy not in POLICIES:
        raise MessageError(f"Unbekannte Bezahlart „{policy}“ (erlaubt: {', '.join(POLICIES)}).")
    return paid or policy != "mandatory"


def claim_at_submission(policy: str) -> bool:
    """Whether a claim is raised when the application is submitted (``optional``,
    ``mandatory``) rather than after the service (``deferred``) or never (``none``)."""
    if policy not in POLICIES:
        raise MessageError(f"Unbekannte Bezahlart „{policy}“ (erlaubt: {', '.join(POLICIES)}).")
    return policy in ("optional", "mandatory")


def status_may_follow(current: str, new: str) -> bool:
    """Whether ``new`` may replace ``current``: a final status never changes again, and
    ``INITIAL`` never follows anything (late or out-of-order messages are ignored)."""
    if current == new:
        return False
    if current in FINAL_STATUSES:
        return False
    return new in FINAL_STATUSES


@dataclass(frozen=True)
class Notification:
    """A pushed status change: ``event_id`` is unique per event (deduplication key)."""

    event_id: str
    transaction_id: str
    request_id: str
    status: str
    amount: Decimal
    currency: str
    timestamp: str

    def to_json(self) -> dict[str, Any]:
        return {
            "eventId": self.event_id,
            "transactionId": self.transaction_id,
            "requestId": self.request_id,
            "status": self.status,
            "grossAmount": f"{self.amount:.2f}",
            "currency": self.currency,
            "timestamp": self.timestamp,
        }


def parse_notification(body: bytes) -> Notification:
    """The notification in ``body`` (JSON); ``MessageError`` when it is not one."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise MessageError("Die Benachrichtigung ist kein gültiges JSON.") from None
    if not isinstance(data, dict):
        raise MessageError("Die Benachrichtigung muss ein JSON-Objekt sein.")
    missing = [
        k for k in ("eventId", "transactionId", "status", "grossAmount", "currency") if not data.get(k)
    ]
    if missing:
        raise MessageError(f"In der Benachrichtigung fehlen: {', '.join(missing)}.")
    status = str(data["status"])
    if status not in STATUSES:
        raise MessageError(f"Unbekannter Zahlungsstatus „{status}“.")
    return Notification(
        event_id=str(data["eventId"])[:100],
        transaction_id=str(data["transactionId"])[:100],
        request_id=str(data.get("requestId", ""))[:100],
        status=status,
        amount=_amount(data["grossAmount"], "grossAmount"),
        currency=str(data["currency"]),
        timestamp=str(data.get("timestamp", "")),
    )


def sign(body: bytes, secret: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 (RFC 2104) of the exact body bytes."""
    return SIGNATURE_PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, signature: str, secret: bytes) -> bool:
    """Constant-time comparison of ``signature`` with the expected one."""
    if not secret or not signature.startswith(SIGNATURE_PREFIX):
        return False
    return hmac.compare_digest(sign(body, secret), signature.strip())
