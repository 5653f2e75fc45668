"""Claims (Forderungen): each gets a Kassenzeichen and its receivable in the ledger."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.payments import ledger
from rathaus.domain.payments.kassenzeichen import Kassenzeichen
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput
from rathaus.kernel.money import eur

from .. import products
from ..models import Claim, ClaimSerial, FeeTariff, PaymentPolicy
from ._common import Actor, _locked, book
from .fees import fee_quote


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


def _amount(
    amount: Decimal | None, tariff_key: str, quantity: int, reductions: Sequence[str]
) -> tuple[Decimal, FeeTariff | None, list[str]]:
    """The amount of a new claim: the fee of ``tariff_key``, or ``amount`` checked."""
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
    return amount, tariff, lines


@transaction.atomic
def claim_create(
    *,
    office: Office,
    purpose: str,
    debtor_name: str,
    amount: Decimal | None = None,
    tariff_key: str = "",
    quantity: int = 1,
    reductions: Sequence[str] = (),
    debtor: User | None = None,
    due_in_days: int = 14,
    product: str = "",
    by: Actor = None,
) -> Claim:
    """A claim with a new Kassenzeichen: the fee of ``tariff_key`` or a given ``amount``.

    ``product`` names a registered product (``product_register``) that delivers something
    once the claim is paid; empty for a plain fee.
    """
    purpose, debtor_name = purpose.strip(), debtor_name.strip()
    if not purpose:
        raise InvalidInput("Bitte geben Sie den Zweck der Forderung an.", code="purpose")
    if not debtor_name:
        raise InvalidInput("Bitte geben Sie den Zahlungspflichtigen an.", code="debtor")
    if product and products.get(product) is None:
        raise InvalidInput(f"Das Produkt „{product}“ ist nicht eingerichtet.", code="product")
    amount, tariff, lines = _amount(amount, tariff_key, quantity, reductions)
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
        product=product,
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
            **({"product": product} if product else {}),
        },
    )
    return claim


@transaction.atomic
def claim_cancel(*, claim: Claim, reason: str, by: Actor) -> Claim:
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
