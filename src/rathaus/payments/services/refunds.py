"""Refunds (Erstattungen) with four eyes: one person asks, another decides and pays out."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.payments import ledger
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, PermissionDenied
from rathaus.kernel.money import eur, format_eur

from ..models import Claim, Payment, Refund
from ..providers import get_provider
from ._common import ZERO, _locked, _status_of, book


@transaction.atomic
def refund_request(*, claim: Claim, amount: Decimal, reason: str, by: User, request_key: str) -> Refund:
    """Ask for a refund; a second person decides. The same ``request_key`` returns the same refund."""
    claim = _locked(claim)
    existing = Refund.objects.filter(claim=claim, request_key=request_key).first()
    if existing is not None:
        if existing.amount != amount:
            raise Conflict(
                "Dieser Erstattungsantrag wurde schon mit einem anderen Betrag gestellt.", code="refund_key"
            )
        return existing
    if not reason.strip():
        raise InvalidInput("Bitte begründen Sie die Erstattung.", code="reason")
    try:
        amount = eur(amount)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(str(exc), code="amount") from exc
    if amount <= 0:
        raise InvalidInput("Der Erstattungsbetrag muss größer als null sein.", code="amount")
    pending = sum((r.amount for r in claim.refunds.filter(status=Refund.Status.REQUESTED)), ZERO)
    if amount > claim.refundable_amount - pending:
        raise InvalidInput(
            f"Höchstens {format_eur(max(claim.refundable_amount - pending, ZERO))} können erstattet werden.",
            code="amount",
        )
    refund = Refund.objects.create(
        claim=claim,
        amount=amount,
        reason=reason.strip()[:500],
        requested_by=by,
        request_key=request_key[:100],
    )
    audit.record(
        actor=by,
        action="payments.refund_requested",
        target=refund,
        details={"kassenzeichen": claim.kassenzeichen, "amount": amount, "reason": refund.reason},
    )
    return refund


def _pay_out(refund: Refund) -> str:
    """Book the approved ``refund`` (and pay it back through the payment service if the claim
    was paid online); returns the way the money went."""
    claim = _locked(refund.claim)
    if refund.amount > claim.refundable_amount:
        raise Conflict("So viel wurde auf diese Forderung nicht gezahlt.", code="refund_too_high")
    online = (
        claim.payments.filter(method=Payment.Method.ONLINE, status=Payment.Status.PAYED)
        .order_by("-paid_at")
        .first()
    )
    via = ledger.PSP if online is not None else ledger.BANK
    if online is not None:
        get_provider().refund(online.transaction_id, refund.amount, f"{claim.kassenzeichen}-{refund.pk}")
    from_held = min(claim.held_total, refund.amount)
    book(
        kind="refund",
        claim=claim,
        postings=ledger.postings_for_refund(
            claim_id=claim.pk, amount=refund.amount, via=via, from_suspense=from_held
        ),
        memo=refund.reason,
    )
    claim.held_total -= from_held
    claim.refunded_total += refund.amount
    claim.status = _status_of(claim)
    claim.save(update_fields=["held_total", "refunded_total", "status"])
    return via


@transaction.atomic
def refund_decide(*, refund: Refund, approve: bool, by: User) -> Refund:
    """Approve (and pay out) or reject a refund; the requester may not decide (four eyes)."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.REQUESTED:
        return refund  # decided already: a repeated click changes nothing
    if refund.requested_by_id == by.pk:
        raise PermissionDenied(
            "Vier-Augen-Prinzip: Eine Erstattung muss von einer anderen Person freigegeben werden.",
            code="four_eyes",
        )
    refund.decided_by, refund.decided_at = by, timezone.now()
    if not approve:
        refund.status = Refund.Status.REJECTED
        refund.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(actor=by, action="payments.refund_rejected", target=refund)
        return refund
    via = _pay_out(refund)
    refund.status = Refund.Status.EXECUTED
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        action="payments.refund_executed",
        target=refund,
        details={"kassenzeichen": refund.claim.kassenzeichen, "amount": refund.amount, "via": via},
    )
    return refund
