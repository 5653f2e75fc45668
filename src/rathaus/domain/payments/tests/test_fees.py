import datetime
from decimal import Decimal

import pytest

from rathaus.domain.payments.fees import FeeError, FeeRule, Reduction, calculate_fee, rule_valid_on

D = Decimal


def rule(**kwargs):
    defaults = {
        "key": "auszug",
        "title": "Auszug",
        "legal_basis": "Demo",
        "kind": "flat",
        "valid_from": datetime.date(2025, 1, 1),
        "amount": D("18.00"),
    }
    return FeeRule(**{**defaults, **kwargs})


def test_flat_fee():
    assert calculate_fee(rule()).amount == D("18.00")


def test_per_unit_fee_with_maximum():
    r = rule(kind="per_unit", amount=D("0.50"), unit_label="Seite", maximum=D("5.00"))
    assert calculate_fee(r, quantity=4).amount == D("2.00")
    assert calculate_fee(r, quantity=40).amount == D("5.00")


def test_range_fee_must_stay_in_frame():
    """Bad input: a frame fee fixed above its maximum."""
    r = rule(kind="range", amount=D("30"), minimum=D("10"), maximum=D("50"))
    assert calculate_fee(r, set_amount=D("45")).amount == D("45.00")
    with pytest.raises(FeeError):
        calculate_fee(r, set_amount=D("51"))


def test_tiered_fee_by_value():
    r = rule(kind="tiered", tiers=((D("1000"), D("20")), (D("10000"), D("60"))), amount=D(0))
    assert calculate_fee(r, value=D("500")).amount == D("20.00")
    assert calculate_fee(r, value=D("5000")).amount == D("60.00")
    assert calculate_fee(r, value=D("50000")).amount == D("60.00")


def test_reductions_and_exemption():
    r = rule(
        reductions=(
            Reduction("sozial", "Ermäßigung Sozialleistung", D("50"), "§ 7 BremGebBeitrG"),
            Reduction("befreit", "Gebührenbefreiung", D("100")),
        )
    )
    result = calculate_fee(r, reductions=["sozial"])
    assert result.amount == D("9.00")
    assert any("§ 7" in line for line in result.lines)
    assert calculate_fee(r, reductions=["befreit"]).amount == D("0.00")


def test_unknown_reduction_and_bad_quantity_are_refused():
    """Bad input: a reduction code not in the tariff, a quantity of zero and of -1."""
    with pytest.raises(FeeError):
        calculate_fee(rule(), reductions=["erfunden"])
    for quantity in (0, -1):
        with pytest.raises(FeeError):
            calculate_fee(rule(), quantity=quantity)


def test_negative_rate_is_refused():
    """Bad input: a tariff with a negative amount."""
    with pytest.raises(FeeError):
        rule(amount=D("-1"))


def test_version_valid_on_a_date():
    old = rule(valid_until=datetime.date(2025, 12, 31))
    new = rule(valid_from=datetime.date(2026, 1, 1), amount=D("20.00"))
    assert rule_valid_on([old, new], "auszug", datetime.date(2025, 6, 1)) is old
    assert rule_valid_on([old, new], "auszug", datetime.date(2026, 6, 1)) is new
    with pytest.raises(FeeError):
        rule_valid_on([old, new], "auszug", datetime.date(2024, 6, 1))
