"""Online payment through the configured payment service (XBezahldienste): starting a
transaction, and the one idempotent function every status change goes through, pushed
(notification) or pulled (after the redirect)."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.payments import ledger
from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel import audit, urls
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import conf
from ..models import Claim, NotificationEvent, Payment
from ..providers import get_provider
from ._common import ClaimAlreadyPaid, InvalidSignature, _locked, apply_receipt, book
from .fulfilment import claims_paid


def _request(claim: Claim, request_id: str, redirect_url: str) -> xb.PaymentRequest:
    amount = claim.open_amount
    return xb.PaymentRequest(
        request_id=request_id,
        request_timestamp=timezone.now().isoformat(timespec="seconds"),
        gross_amount=amount,
        purpose=claim.kassenzeichen,
        description=claim.purpose[:200],
        redirect_url=redirect_url,
        items=(
            xb.PaymentItem(
                id="1",
                reference=claim.kassenzeichen,
                description=claim.purpose[:200],
                gross_amount=amount,
                booking_data={"kassenzeichen": claim.kassenzeichen, "haushaltsstelle": claim.budget_account},
            ),
        ),
        requestor={"name": claim.debtor_name},
    )


@transaction.atomic
def payment_start(*, claim: Claim, by: User | None, return_url: str = "") -> Payment:
    """Ask the configured payment service for a transaction over the open amount.

    The payer comes back to ``return_url`` (a path of this site; default: the claim's return
    page), sent to the payment service as an absolute address at the configured site address:
    the service runs on another host, where a bare path would lead nowhere."""
    claim = _locked(claim)
    if claim.status == Claim.Status.CANCELLED:
        raise Conflict("Diese Forderung ist aufgehoben.", code="claim_cancelled")
    if claim.open_amount <= 0:
        raise ClaimAlreadyPaid
    pending = claim.payments.filter(method=Payment.Method.ONLINE, status=Payment.Status.INITIAL).first()
    if pending is not None and pending.amount == claim.open_amount:
        return pending  # the payer went back: continue the same transaction
    request_id = uuid.uuid4().hex
    redirect_url = urls.absolute(return_url or reverse("payments:return", kwargs={"request_id": request_id}))
    provider = get_provider()
    info = provider.create(_request(claim, request_id, redirect_url))
    payment = Payment.objects.create(
        claim=claim,
        method=Payment.Method.ONLINE,
        provider=provider.name,
        request_id=request_id,
        transaction_id=info.transaction_id,
        transaction_url=info.transaction_url,
        amount=claim.open_amount,
        initiated_by=by if by is not None and by.pk else None,
    )
    audit.record(
        actor=by,
        action="payments.payment_started",
        target=payment,
        details={"kassenzeichen": claim.kassenzeichen, "amount": payment.amount, "provider": provider.name},
    )
    return payment


def _apply_status(*, payment: Payment, status: str, source: str, payment_method: str = "") -> str:
    """Move ``payment`` to ``status`` if allowed; book a receipt for PAYED. Returns the outcome."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if not xb.status_may_follow(payment.status, status):
        return "ignored"
    claim = _locked(payment.claim)
    payment.status = status
    payment.payment_method = payment_method[:40] or payment.payment_method
    if status == Payment.Status.PAYED:
        payment.paid_at = timezone.now()
        postings = apply_receipt(claim, payment.amount, via=ledger.PSP)
        claim.save(update_fields=["paid_total", "settled_total", "held_total", "status"])
        book(
            kind="online_payment",
            claim=claim,
            postings=postings,
            memo=f"Online-Zahlung {payment.transaction_id}",
        )
    payment.save(update_fields=["status", "paid_at", "payment_method"])
    audit.record(
        actor=audit.Actor.system(f"Zahlungsdienst ({source})"),
        action="payments.payment_status",
        target=payment,
        details={"kassenzeichen": claim.kassenzeichen, "status": status, "source": source},
    )
    if status == Payment.Status.PAYED and claim.status == Claim.Status.PAID:
        claims_paid([claim.pk])
    return "applied"


@transaction.atomic
def payment_refresh(*, payment: Payment) -> Payment:
    """Pull the status from the payment service (XBezahldienste: after the redirect)."""
    if payment.status in xb.FINAL_STATUSES:
        return payment
    info = get_provider().status(payment.transaction_id)
    _apply_status(
        payment=payment, status=info.status, source="Statusabfrage", payment_method=info.payment_method
    )
    payment.refresh_from_db()
    return payment


def _outcome(note: xb.Notification) -> tuple[str, str]:
    """Apply a verified notification to its payment; (outcome, detail for the record)."""
    payment = Payment.objects.filter(transaction_id=note.transaction_id, method=Payment.Method.ONLINE).first()
    if payment is None:
        return "unknown", "Keine Zahlung zu dieser Transaktion."
    if note.currency != payment.currency or note.amount != payment.amount:
        detail = (
            f"Erwartet {payment.amount} {payment.currency}, "
            f"gemeldet {note.amount} {note.currency}; nicht gebucht."
        )
        return "mismatch", detail
    return _apply_status(payment=payment, status=note.status, source="Benachrichtigung"), ""


@transaction.atomic
def notification_receive(*, body: bytes, signature: str) -> NotificationEvent:
    """Handle a pushed notification: HMAC-verified, deduplicated by event id, amount and
    currency checked; a repeated event returns the first record unchanged."""
    if not xb.verify_signature(body, signature, conf.notification_secret()):
        audit.record_denied(
            actor=None, target_type="payments.notification", target_id="", reason="bad signature"
        )
        raise InvalidSignature
    try:
        note = xb.parse_notification(body)
    except xb.MessageError as exc:
        raise InvalidInput(str(exc), code="notification") from exc
    existing = NotificationEvent.objects.filter(event_id=note.event_id).first()
    if existing is not None:
        return existing
    outcome, detail = _outcome(note)
    try:
        with transaction.atomic():
            event = NotificationEvent.objects.create(
                event_id=note.event_id,
                transaction_id=note.transaction_id,
                status=note.status,
                amount=note.amount,
                currency=note.currency[:3],
                outcome=outcome,
                detail=detail,
            )
    except IntegrityError:  # the same event in a concurrent request: it won
        raise Conflict(
            "Diese Benachrichtigung wird gerade verarbeitet.", code="notification_in_progress"
        ) from None
    if outcome in ("unknown", "mismatch"):
        audit.record(
            actor=audit.Actor.system("Zahlungsdienst"),
            action=f"payments.notification_{outcome}",
            target=event,
            details={"transaction": note.transaction_id, "detail": detail},
        )
    return event


def notification_outcome(body: bytes, signature: str) -> str:
    """``notification_receive`` as the sandbox payment service delivers to it: the outcome."""
    return notification_receive(body=body, signature=signature).outcome
