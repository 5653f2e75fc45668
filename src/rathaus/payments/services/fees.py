"""The fee schedule (Gebührenverzeichnis): tariff versions and the fee they give."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.domain.payments import fees as fee_rules
from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput

from ..models import FeeTariff
from ._common import Actor


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
def fee_tariff_upsert(*, key: str, valid_from: datetime.date, by: Actor = None, **fields: Any) -> FeeTariff:
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
