"""Reads of E-Payment. Citizens see only their own claims; staff reads of claims are audited."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from rathaus.accounts.selectors import working_offices
from rathaus.accounts.types import User
from rathaus.domain.payments.kassenzeichen import InvalidKassenzeichen, parse
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from . import conf
from .models import BankCredit, Claim, FeeTariff, MapExtractOrder, Payment, Refund


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


def payment_offices(user: Any) -> QuerySet[Any]:
    """Offices whose claims ``user`` may see (case roles); the cash office sees all."""
    return working_offices(user)


def is_cash_office_staff(user: Any) -> bool:
    return payment_offices(user).filter(slug=conf.cash_office_slug()).exists()


def claims_for_staff(user: Any) -> QuerySet[Claim]:
    if is_cash_office_staff(user):
        return Claim.objects.all()
    return Claim.objects.filter(office__in=payment_offices(user))


def claim_for_staff(*, user: Any, kassenzeichen: str, purpose: str = "Kassenbearbeitung") -> Claim:
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


def claim_history(*, claim: Claim, limit: int = 100) -> list[Any]:
    """What happened to ``claim``, its payments, refunds and bank credits, oldest first,
    from the audit log (without the read entries every look at the page writes)."""
    targets = models.Q(target_type="payments.claim", target_id=str(claim.pk))
    for model, ids in (
        ("payments.payment", claim.payments.values_list("pk", flat=True)),
        ("payments.refund", claim.refunds.values_list("pk", flat=True)),
        ("payments.bankcredit", claim.credits.values_list("pk", flat=True)),
        (
            "payments.mapextractorder",
            MapExtractOrder.objects.filter(claim=claim).values_list("pk", flat=True),
        ),
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


def claim_of_citizen(*, user: Any, kassenzeichen: str) -> Claim:
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


def order_of_citizen(*, user: Any, order_id: int) -> MapExtractOrder:
    order = (
        MapExtractOrder.objects.select_related("parcel", "claim").filter(pk=order_id, citizen=user).first()
    )
    if order is None:
        audit.record_denied(
            actor=user, target_type="payments.mapextractorder", target_id=order_id, reason="not owner"
        )
        raise NotFound("Diese Bestellung gibt es nicht.")
    return order


def unmatched_credits() -> QuerySet[BankCredit]:
    return BankCredit.objects.filter(status=BankCredit.Status.UNMATCHED).order_by("booked_on", "id")


def pending_refunds(user: Any) -> QuerySet[Refund]:
    return Refund.objects.filter(
        status=Refund.Status.REQUESTED, claim__in=claims_for_staff(user)
    ).select_related("claim", "requested_by")


def recent_payments(user: Any, limit: int = 50) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(status=Payment.Status.PAYED, claim__in=claims_for_staff(user))
        .select_related("claim")
        .order_by("-paid_at")[:limit]
    )


def daily_totals(user: Any, *, days: int = 14) -> list[tuple[datetime.date, Decimal]]:
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
