"""Reads of E-Payment. Citizens see only their own claims; staff reads of claims are audited.

For products (decision 0093): ``claim_product_page`` (where the payer follows a claim's
product), ``claim_receipt`` (the receipt of a paid claim, as PDF); for the cash office
``fulfilments_to_check`` (paid claims whose delivery failed or is stuck).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from rathaus.accounts.selectors import working_offices
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.payments.kassenzeichen import InvalidKassenzeichen, parse
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from . import conf, pdfs, products
from .models import BankCredit, Claim, FeeTariff, Fulfilment, Payment, Refund
from .services.fulfilment import may_retry
from .types import Receipt

# A delivery not done after this long is shown to the cash office even without an error.
STUCK_AFTER = datetime.timedelta(minutes=30)


def fee_for_service(*, service_key: str, on: datetime.date | None = None) -> FeeTariff | None:
    """The tariff a directory service (by LeiKa key) names, valid ``on`` (default today)."""
    day = on or timezone.localdate()
    return (
        FeeTariff.objects.filter(service_key=service_key, valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("-valid_from")
        .first()
    )


def tariffs_current(on: datetime.date | None = None) -> list[FeeTariff]:
    day = on or timezone.localdate()
    rows = (
        FeeTariff.objects.filter(valid_from__lte=day)
        .exclude(valid_until__lt=day)
        .order_by("key", "-valid_from")
    )
    seen: dict[str, FeeTariff] = {}
    for row in rows:
        seen.setdefault(row.key, row)
    return list(seen.values())


def payment_offices(user: User) -> QuerySet[Office]:
    """Offices whose claims ``user`` may see (case roles); the cash office sees all."""
    return working_offices(user)


def is_cash_office_staff(user: User) -> bool:
    return payment_offices(user).filter(slug=conf.cash_office_slug()).exists()


def claims_for_staff(user: User) -> QuerySet[Claim]:
    if is_cash_office_staff(user):
        return Claim.objects.all()
    return Claim.objects.filter(office__in=payment_offices(user))


def claim_for_staff(*, user: User, kassenzeichen: str, purpose: str = "Kassenbearbeitung") -> Claim:
    claim = (
        claims_for_staff(user).filter(kassenzeichen=kassenzeichen).select_related("office", "debtor").first()
    )
    if claim is None:
        raise NotFound("Diese Forderung gibt es nicht oder Sie dürfen sie nicht sehen.")
    audit.record_read(
        actor=user,
        subject=claim,
        purpose=purpose,
        legal_basis="§ 70 LHO Bremen (Zahlungsverkehr der Kasse) i. V. m. Art. 6 Abs. 1 lit. e DSGVO",
        fields=("debtor_name", "amount", "payments"),
    )
    return claim


def claim_history(*, claim: Claim, limit: int = 100) -> list[audit.AuditEntry]:
    """What happened to ``claim``, its payments, refunds, bank credits and its delivery, oldest first,
    from the audit log (without the read entries every look at the page writes)."""
    targets = models.Q(target_type="payments.claim", target_id=str(claim.pk))
    for model, ids in (
        ("payments.payment", claim.payments.values_list("pk", flat=True)),
        ("payments.refund", claim.refunds.values_list("pk", flat=True)),
        ("payments.bankcredit", claim.credits.values_list("pk", flat=True)),
        ("payments.fulfilment", Fulfilment.objects.filter(claim=claim).values_list("pk", flat=True)),
    ):
        keys = [str(pk) for pk in ids]
        if keys:
            targets |= models.Q(target_type=model, target_id__in=keys)
    entries = audit.AuditEntry.objects.filter(targets).exclude(action__endswith=".read")
    return list(entries.order_by("-seq")[:limit])[::-1]


def claim_by_kassenzeichen(*, text: str) -> Claim | None:
    """The claim for a typed Kassenzeichen (tolerant of spacing and case); None if invalid or unknown."""
    try:
        number = parse(text)
    except InvalidKassenzeichen:
        return None
    return Claim.objects.filter(kassenzeichen=str(number)).first()


def claims_of_user(*, user: User) -> QuerySet[Claim]:
    return Claim.objects.filter(debtor=user).order_by("-created_at")


def claim_of_citizen(*, user: User | AnonymousUser, kassenzeichen: str) -> Claim:
    claim = (
        Claim.objects.filter(kassenzeichen=kassenzeichen, debtor=user).first()
        if user.is_authenticated
        else None
    )
    if claim is None:
        if user.is_authenticated:
            audit.record_denied(
                actor=user, target_type="payments.claim", target_id=kassenzeichen, reason="not debtor"
            )
        raise NotFound("Diese Forderung gibt es nicht.")
    return claim


def unmatched_credits() -> QuerySet[BankCredit]:
    return BankCredit.objects.filter(status=BankCredit.Status.UNMATCHED).order_by("booked_on", "id")


def pending_refunds(user: User) -> QuerySet[Refund]:
    return Refund.objects.filter(
        status=Refund.Status.REQUESTED, claim__in=claims_for_staff(user)
    ).select_related("claim", "requested_by")


def recent_payments(user: User, limit: int = 50) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(status=Payment.Status.PAYED, claim__in=claims_for_staff(user))
        .select_related("claim")
        .order_by("-paid_at")[:limit]
    )


def daily_totals(user: User, *, days: int = 14) -> list[tuple[datetime.date, Decimal]]:
    today = timezone.localdate()
    start = today - datetime.timedelta(days=days - 1)
    rows = (
        Payment.objects.filter(
            status=Payment.Status.PAYED,
            claim__in=claims_for_staff(user),
            paid_at__date__gte=start,
        )
        .annotate(day=TruncDate("paid_at"))
        .values("day")
        .annotate(total=Sum("amount"))
    )
    by_day = {row["day"]: row["total"] for row in rows}
    return [
        (
            start + datetime.timedelta(days=i),
            by_day.get(start + datetime.timedelta(days=i)) or Decimal("0.00"),
        )
        for i in range(days)
    ]


# --- products and their delivery (decision 0093) ---------------------------------------------


def claim_product_page(*, claim: Claim) -> str | None:
    """Where the payer follows what ``claim`` pays for (the product's own page), if anywhere."""
    product = products.get(claim.product) if claim.product else None
    if product is None or product.page is None:
        return None
    return product.page(claim_id=claim.pk)


def product_title(key: str) -> str:
    """The title of the product ``key`` for people; the key itself if no app registered it."""
    product = products.get(key)
    return str(product.title) if product is not None else key


def claim_receipt(*, claim: Claim) -> Receipt | None:
    """The receipt (Quittung) of ``claim``'s latest payment as PDF; None if nothing was paid."""
    payment = claim.payments.filter(status=Payment.Status.PAYED).order_by("-paid_at", "-id").first()
    if payment is None:
        return None
    return Receipt(
        amount=payment.amount,
        pdf=pdfs.receipt_pdf(claim=claim, payment=payment),
        filename=f"quittung-{claim.kassenzeichen}.pdf",
    )


@dataclass(frozen=True)
class FulfilmentRow:
    """A paid claim whose delivery the cash office should look at."""

    fulfilment: Fulfilment
    product: str
    may_retry: bool


def claim_fulfilment(*, claim: Claim) -> FulfilmentRow | None:
    """The delivery of paid ``claim``'s product, if it names one and was paid."""
    row = Fulfilment.objects.filter(claim=claim).select_related("claim").first()
    return FulfilmentRow(row, product_title(claim.product), may_retry(row)) if row is not None else None


def _to_check() -> QuerySet[Fulfilment]:
    stuck = Q(status__in=[Fulfilment.Status.PENDING, Fulfilment.Status.RETRYING]) & Q(
        updated_at__lt=timezone.now() - STUCK_AFTER
    )
    return Fulfilment.objects.filter(Q(status=Fulfilment.Status.FAILED) | stuck)


def fulfilments_to_check(*, limit: int = 100) -> list[FulfilmentRow]:
    """Deliveries that failed for good, or that have not finished for ``STUCK_AFTER``, oldest first."""
    rows = _to_check().select_related("claim").order_by("updated_at", "id")[:limit]
    return [FulfilmentRow(row, product_title(row.claim.product), may_retry(row)) for row in rows]


def fulfilments_to_check_count() -> int:
    return _to_check().count()
