"""Writes of E-Payment: each use case one function, one transaction, its audit entry inside.

Claims get a Kassenzeichen and a ledger entry; every euro that arrives or leaves is booked
double-entry (``rathaus.domain.payments.ledger``). Payment status changes — from a pushed
notification or from pulling the status after the redirect — go through one idempotent
function, so late, duplicate and out-of-order messages cannot book twice.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.domain.payments import fees as fee_rules
from rathaus.domain.payments import ledger
from rathaus.domain.payments import xbezahldienste as xb
from rathaus.domain.payments.kassenzeichen import Kassenzeichen
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, PermissionDenied
from rathaus.kernel.money import eur, format_eur

from . import conf
from .models import (
    Claim,
    ClaimSerial,
    FeeTariff,
    JournalEntry,
    NotificationEvent,
    Payment,
    PaymentPolicy,
    Posting,
    Refund,
)

logger = logging.getLogger(__name__)

__all__ = [
    "ClaimAlreadyPaid",
    "apply_receipt",
    "book",
    "claim_cancel",
    "claim_create",
    "fee_quote",
    "fee_tariff_upsert",
    "notification_receive",
    "payment_refresh",
    "payment_start",
    "refund_decide",
    "refund_request",
]

ZERO = Decimal("0.00")


class ClaimAlreadyPaid(Conflict):
    default_code = "claim_already_paid"
    default_message = "Diese Forderung ist bereits vollständig bezahlt."


class InvalidSignature(PermissionDenied):
    default_code = "invalid_signature"
    default_message = "Die Signatur der Benachrichtigung ist ungültig."


# --- fee schedule ---------------------------------------------------------------------


def _rule(tariff: FeeTariff) -> fee_rules.FeeRule:
    return fee_rules.FeeRule(
        key=tariff.key,
        title=tariff.title,
        legal_basis=tariff.legal_basis,
        kind=tariff.kind,
        valid_from=tariff.valid_from,
        valid_until=tariff.valid_until,
        amount=tariff.amount,
        unit_label=tariff.unit_label,
        minimum=tariff.minimum,
        maximum=tariff.maximum,
        tiers=tuple((Decimal(str(up)), Decimal(str(am))) for up, am in tariff.tiers),
        reductions=tuple(
            fee_rules.Reduction(r["code"], r["label"], Decimal(str(r["percent"])), r.get("legal_basis", ""))
            for r in tariff.reductions
        ),
    )


@transaction.atomic
def fee_tariff_upsert(*, key: str, valid_from: datetime.date, by: Any = None, **fields: Any) -> FeeTariff:
    """Create or update the version of tariff ``key`` starting ``valid_from`` (checked by the domain)."""
    tariff = FeeTariff.objects.filter(key=key, valid_from=valid_from).first() or FeeTariff(
        key=key, valid_from=valid_from
    )
    for name, value in fields.items():
        setattr(tariff, name, value)
    try:
        _rule(tariff)
    except (fee_rules.FeeError, KeyError) as exc:
        raise InvalidInput(str(exc), code="fee_tariff") from exc
    created = tariff.pk is None
    tariff.save()
    audit.record(
        actor=by,
        action="payments.tariff_created" if created else "payments.tariff_updated",
        target=tariff,
        details={
            "key": key,
            "valid_from": valid_from,
            "amount": tariff.amount,
            "legal_basis": tariff.legal_basis,
        },
    )
    return tariff


def fee_quote(
    *,
    key: str,
    on: datetime.date | None = None,
    quantity: int = 1,
    value: Decimal | None = None,
    set_amount: Decimal | None = None,
    reductions: Sequence[str] = (),
) -> tuple[FeeTariff, fee_rules.FeeResult]:
    """The tariff version valid ``on`` (default today) and the fee it gives."""
    day = on or timezone.localdate()
    tariffs = {t.pk: t for t in FeeTariff.objects.filter(key=key)}
    try:
        rule = fee_rules.rule_valid_on([_rule(t) for t in tariffs.values()], key, day)
        result = fee_rules.calculate_fee(
            rule, quantity=quantity, value=value, set_amount=set_amount, reductions=reductions
        )
    except fee_rules.FeeError as exc:
        raise InvalidInput(str(exc), code="fee") from exc
    tariff = next(t for t in tariffs.values() if t.valid_from == rule.valid_from)
    return tariff, result


# --- ledger ----------------------------------------------------------------------------


def book(
    *, kind: str, postings: Iterable[ledger.Posting], claim: Claim | None = None, memo: str = ""
) -> JournalEntry:
    """Write one balanced journal entry (the domain checks the balance)."""
    lines = ledger.check_entry(postings)
    entry = JournalEntry.objects.create(kind=kind, claim=claim, memo=memo[:300])
    Posting.objects.bulk_create(
        Posting(entry=entry, account=p.account, claim_id=p.claim_id, amount=p.amount) for p in lines
    )
    return entry


def _status_of(claim: Claim) -> str:
    if claim.status == Claim.Status.CANCELLED:
        return claim.status
    if claim.refunded_total > 0 and claim.refunded_total >= claim.paid_total:
        return Claim.Status.REFUNDED
    if claim.settled_total >= claim.amount:
        return Claim.Status.PAID
    if claim.settled_total > 0:
        return Claim.Status.PARTLY_PAID
    return Claim.Status.OPEN


def apply_receipt(claim: Claim, amount: Decimal, *, via: str) -> list[ledger.Posting]:
    """Apply money received for ``claim`` to its fields and return the postings (not saved).

    The one rule for single payments and for bulk bank reconciliation: the open amount is
    settled, the rest is held (Verwahrgeld) for a refund or a later decision.
    """
    open_amount = claim.open_amount
    postings = ledger.postings_for_payment(claim_id=claim.pk, amount=amount, open_amount=open_amount, via=via)
    settled = min(amount, open_amount)
    claim.paid_total += amount
    claim.settled_total += settled
    claim.held_total += amount - settled
    claim.status = _status_of(claim)
    return postings


# --- claims ----------------------------------------------------------------------------


def _next_kassenzeichen(year: int) -> str:
    serial, _ = ClaimSerial.objects.select_for_update().get_or_create(year=year)
    serial.last += 1
    serial.save(update_fields=["last"])
    return str(Kassenzeichen.build(year=year, serial=serial.last))


def allocate_kassenzeichen(*, year: int, count: int) -> list[str]:
    """``count`` consecutive new Kassenzeichen (for bulk loads)."""
    serial, _ = ClaimSerial.objects.select_for_update().get_or_create(year=year)
    first = serial.last + 1
    serial.last += count
    serial.save(update_fields=["last"])
    return [str(Kassenzeichen.build(year=year, serial=n)) for n in range(first, first + count)]


@transaction.atomic
def claim_create(
    *,
    office: Any,
    purpose: str,
    debtor_name: str,
    amount: Decimal | None = None,
    tariff_key: str = "",
    quantity: int = 1,
    reductions: Sequence[str] = (),
    debtor: Any = None,
    due_in_days: int = 14,
    by: Any = None,
) -> Claim:
    """A claim with a new Kassenzeichen: the fee of ``tariff_key`` or a given ``amount``."""
    purpose, debtor_name = purpose.strip(), debtor_name.strip()
    if not purpose:
        raise InvalidInput("Bitte geben Sie den Zweck der Forderung an.", code="purpose")
    if not debtor_name:
        raise InvalidInput("Bitte geben Sie den Zahlungspflichtigen an.", code="debtor")
    tariff = None
    lines: list[str] = []
    if tariff_key:
        tariff, result = fee_quote(key=tariff_key, quantity=quantity, reductions=reductions)
        amount, lines = result.amount, [*result.lines, f"Rechtsgrundlage: {result.legal_basis}"]
    if amount is None:
        raise InvalidInput("Bitte geben Sie einen Betrag oder einen Gebührentarif an.", code="amount")
    try:
        amount = eur(amount)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(str(exc), code="amount") from exc
    if amount <= 0:
        raise InvalidInput(
            "Der Betrag einer Forderung muss größer als null sein "
            "(gebührenfreie Leistungen erzeugen keine Forderung).",
            code="amount",
        )
    today = timezone.localdate()
    claim = Claim.objects.create(
        kassenzeichen=_next_kassenzeichen(today.year),
        office=office,
        debtor=debtor,
        debtor_name=debtor_name[:200],
        purpose=purpose[:200],
        amount=amount,
        due_on=today + datetime.timedelta(days=due_in_days),
        tariff=tariff,
        fee_lines=lines,
        payment_policy=tariff.payment_policy if tariff else PaymentPolicy.OPTIONAL,
        budget_account=tariff.budget_account if tariff else "",
    )
    book(kind="claim", claim=claim, postings=ledger.postings_for_claim(claim_id=claim.pk, amount=amount))
    audit.record(
        actor=by,
        action="payments.claim_created",
        target=claim,
        details={
            "kassenzeichen": claim.kassenzeichen,
            "amount": amount,
            "tariff": tariff_key,
            "office": office.pk,
        },
    )
    return claim


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


@transaction.atomic
def claim_cancel(*, claim: Claim, reason: str, by: Any) -> Claim:
    """Cancel a claim nothing has been paid on (Aufhebung); the receivable is written off."""
    claim = _locked(claim)
    if not reason.strip():
        raise InvalidInput("Bitte geben Sie einen Grund für die Aufhebung an.", code="reason")
    if claim.status == Claim.Status.CANCELLED:
        return claim
    if claim.paid_total > 0:
        raise Conflict(
            "Auf diese Forderung wurde schon gezahlt; bitte erstatten Sie statt aufzuheben.",
            code="claim_has_payments",
        )
    book(
        kind="cancellation",
        claim=claim,
        postings=ledger.postings_for_cancellation(claim_id=claim.pk, open_amount=claim.open_amount),
        memo=reason,
    )
    claim.status = Claim.Status.CANCELLED
    claim.save(update_fields=["status"])
    audit.record(
        actor=by, action="payments.claim_cancelled", target=claim, details={"reason": reason.strip()}
    )
    return claim


# --- online payment ----------------------------------------------------------------------


def _provider() -> Any:
    from .providers import get_provider

    return get_provider()


@transaction.atomic
def payment_start(*, claim: Claim, by: Any, return_url: str = "") -> Payment:
    """Ask the configured payment service for a transaction over the open amount."""
    claim = _locked(claim)
    if claim.status == Claim.Status.CANCELLED:
        raise Conflict("Diese Forderung ist aufgehoben.", code="claim_cancelled")
    if claim.open_amount <= 0:
        raise ClaimAlreadyPaid
    pending = claim.payments.filter(method=Payment.Method.ONLINE, status=Payment.Status.INITIAL).first()
    if pending is not None and pending.amount == claim.open_amount:
        return pending  # the payer went back: continue the same transaction
    request_id = uuid.uuid4().hex
    amount = claim.open_amount
    redirect_url = return_url or reverse("payments:return", kwargs={"request_id": request_id})
    request = xb.PaymentRequest(
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
    provider = _provider()
    info = provider.create(request)
    payment = Payment.objects.create(
        claim=claim,
        method=Payment.Method.ONLINE,
        provider=provider.name,
        request_id=request_id,
        transaction_id=info.transaction_id,
        transaction_url=info.transaction_url,
        amount=amount,
        initiated_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(
        actor=by,
        action="payments.payment_started",
        target=payment,
        details={"kassenzeichen": claim.kassenzeichen, "amount": amount, "provider": provider.name},
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
    if status == Payment.Status.PAYED:
        transaction.on_commit(lambda: after_claim_paid(claim_id=claim.pk))
    return "applied"


def after_claim_paid(*, claim_id: int) -> None:
    """Deliver what was waiting for the payment (the map extract), each in its own transaction."""
    from . import cadastre

    try:
        cadastre.order_fulfil_for_claim(claim_id=claim_id)
    except Exception:  # the payment is booked; fulfilment is retried from the order page
        logger.exception("fulfilment after payment of claim %s failed", claim_id)


@transaction.atomic
def payment_refresh(*, payment: Payment) -> Payment:
    """Pull the status from the payment service (XBezahldienste: after the redirect)."""
    if payment.status in xb.FINAL_STATUSES:
        return payment
    info = _provider().status(payment.transaction_id)
    _apply_status(
        payment=payment, status=info.status, source="Statusabfrage", payment_method=info.payment_method
    )
    payment.refresh_from_db()
    return payment


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
    payment = Payment.objects.filter(transaction_id=note.transaction_id, method=Payment.Method.ONLINE).first()
    outcome, detail = "applied", ""
    if payment is None:
        outcome, detail = "unknown", "Keine Zahlung zu dieser Transaktion."
    elif note.currency != payment.currency or note.amount != payment.amount:
        outcome = "mismatch"
        detail = (
            f"Erwartet {payment.amount} {payment.currency}, "
            f"gemeldet {note.amount} {note.currency}; nicht gebucht."
        )
    else:
        outcome = _apply_status(payment=payment, status=note.status, source="Benachrichtigung")
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


# --- refunds (four eyes) ----------------------------------------------------------------


@transaction.atomic
def refund_request(*, claim: Claim, amount: Decimal, reason: str, by: Any, request_key: str) -> Refund:
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


@transaction.atomic
def refund_decide(*, refund: Refund, approve: bool, by: Any) -> Refund:
    """Approve (and pay out) or reject a refund; the requester may not decide (four eyes)."""
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status != Refund.Status.REQUESTED:
        return refund  # decided already: a repeated click changes nothing
    if refund.requested_by_id == getattr(by, "pk", None):
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
        _provider().refund(online.transaction_id, refund.amount, f"{claim.kassenzeichen}-{refund.pk}")
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
    refund.status = Refund.Status.EXECUTED
    refund.save(update_fields=["status", "decided_by", "decided_at"])
    audit.record(
        actor=by,
        action="payments.refund_executed",
        target=refund,
        details={"kassenzeichen": claim.kassenzeichen, "amount": refund.amount, "via": via},
    )
    return refund
