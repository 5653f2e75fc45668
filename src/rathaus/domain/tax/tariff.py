"""Income tax by § 32a EStG, Solidaritätszuschlag and church tax."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from .parameters import (
    CHURCH_TAX_RATE_BREMEN,
    SOLI_RATE,
    SOLI_TRANSITION_RATE,
    Tariff,
    year_parameters,
)

D = Decimal
CENT = D("0.01")


def euros_down(amount: Decimal) -> Decimal:
    """Down to full euros (§ 32a Abs. 1 Satz 1 and 6 EStG: zvE and tax are rounded down)."""
    return amount.to_integral_value(rounding=ROUND_DOWN)


def cents_down(amount: Decimal) -> Decimal:
    """Down to cents (§ 4 Satz 3 SolZG: fractions of a cent are dropped)."""
    return amount.quantize(CENT, rounding=ROUND_DOWN)


def basic_tariff(taxable_income: Decimal, tariff: Tariff) -> Decimal:
    """The tax of the basic tariff (Grundtarif) on a taxable income, in full euros."""
    x = euros_down(max(taxable_income, D(0)))
    if x <= tariff.basic_allowance:
        return D(0)
    if x <= tariff.zone2_end:
        y = (x - tariff.basic_allowance) / 10_000
        tax = (tariff.a2 * y + 1_400) * y
    elif x <= tariff.zone3_end:
        z = (x - tariff.zone2_end) / 10_000
        tax = (tariff.a3 * z + 2_397) * z + tariff.c3
    elif x <= tariff.zone4_end:
        tax = D("0.42") * x - tariff.c4
    else:
        tax = D("0.45") * x - tariff.c5
    return euros_down(tax)


def income_tax(taxable_income: Decimal, year: int, *, joint: bool = False) -> Decimal:
    """§ 32a Abs. 1 EStG; for spouses assessed jointly the splitting tariff of § 32a Abs. 5: twice
    the tax on half the joint taxable income."""
    tariff = year_parameters(year).tariff
    if not joint:
        return basic_tariff(taxable_income, tariff)
    half = euros_down(max(taxable_income, D(0))) / 2
    return 2 * basic_tariff(half, tariff)


def solidarity_surcharge(tax: Decimal, year: int, *, joint: bool = False) -> Decimal:
    """§§ 3, 4 SolZG 1995: 5.5 % of the income tax, nothing up to the Freigrenze, and above it at
    most 11.9 % of the part above the Freigrenze (the transition zone); down to cents."""
    parameters = year_parameters(year)
    limit = parameters.soli_exemption_joint if joint else parameters.soli_exemption_single
    if tax <= limit:
        return D(0)
    return cents_down(min(tax * SOLI_RATE, (tax - limit) * SOLI_TRANSITION_RATE))


def church_tax(tax: Decimal, rate: Decimal = CHURCH_TAX_RATE_BREMEN) -> Decimal:
    """Church tax of a member: ``rate`` of the income tax (Bremen: 8 %), down to cents."""
    return cents_down(tax * rate)
