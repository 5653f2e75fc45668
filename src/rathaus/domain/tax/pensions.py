"""Pensions in the income tax: statutory pensions (§ 22 EStG) and civil-servant pensions
(Versorgungsbezüge, § 19 Abs. 2 EStG), by the year of the first payment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_UP, Decimal

D = Decimal

# § 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst. aa EStG: the taxable share (Besteuerungsanteil) of a
# statutory pension by the year it began. 50 % up to 2005, +2 points a year to 80 % (2020),
# +1 point to 82 % (2022), and since the Wachstumschancengesetz (BGBl. 2024 I Nr. 108) +0.5
# points a year from 2023 (82.5 %) to 100 % in 2058.
PENSION_SHARE_CITATION = "§ 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst. aa EStG"


def pension_taxable_share(start_year: int) -> Decimal:
    """The taxable share (0.5 … 1) of a statutory pension that began in ``start_year``."""
    if start_year <= 2005:
        return D("0.50")
    if start_year <= 2020:
        return D("0.50") + D("0.02") * (start_year - 2005)
    if start_year <= 2022:
        return D("0.80") + D("0.01") * (start_year - 2020)
    return min(D("0.82") + D("0.005") * (start_year - 2022), D("1"))


@dataclass(frozen=True)
class PensionIncome:
    """The taxable part of one statutory pension in a tax year, with the numbers behind it."""

    gross: Decimal
    share: Decimal
    tax_free: Decimal  # the pension allowance (Rentenfreibetrag), fixed in euros
    taxable: Decimal
    first_year: bool  # the year of the first payment: the share applies to the gross pension


def statutory_pension(
    *, gross: Decimal, start_year: int, tax_year: int, gross_following_year: Decimal | None
) -> PensionIncome:
    """§ 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst. aa Satz 4–5 EStG: in the year the pension began
    the taxable share applies to the gross pension; from the year after, the tax-free part is
    fixed in euros as (1 − share) of the pension of the year after the start year (the first full
    year) and the rest is taxable (regular adjustments raise only the taxable part). Amounts are
    kept to the cent; the taxable income is rounded down to euros at the end (§ 32a EStG)."""
    if start_year > tax_year:
        raise ValueError(f"Die Rente beginnt {start_year}, nach dem Steuerjahr {tax_year}.")
    if gross < 0:
        raise ValueError("Eine Rente kann nicht negativ sein.")
    share = pension_taxable_share(start_year)
    if start_year == tax_year:
        taxable = (gross * share).quantize(D("0.01"))
        return PensionIncome(gross, share, gross - taxable, taxable, True)
    basis = gross if gross_following_year is None else gross_following_year
    tax_free = (basis * (1 - share)).quantize(D("0.01"))
    taxable = max(gross - tax_free, D(0))
    return PensionIncome(gross, share, tax_free, taxable, False)


# § 19 Abs. 2 Satz 3 EStG: Versorgungsfreibetrag (share of the assessment basis, at most an
# amount) and Zuschlag by the year the pension began; from 2023 the steps are 0.4 points, 30 €
# and 9 € a year (Wachstumschancengesetz).
VERSORGUNG_CITATION = "§ 19 Abs. 2 EStG"


def versorgung_allowance(start_year: int) -> tuple[Decimal, Decimal, Decimal]:
    """(percentage as a fraction, maximum, Zuschlag) for a civil-servant pension that began in
    ``start_year``."""
    if start_year <= 2005:
        return D("0.40"), D("3000"), D("900")
    if start_year <= 2020:
        steps = start_year - 2005
        return D("0.40") - D("0.016") * steps, D("3000") - 120 * steps, D("900") - 36 * steps
    if start_year <= 2022:
        steps = start_year - 2020
        return D("0.16") - D("0.008") * steps, D("1200") - 60 * steps, D("360") - 18 * steps
    steps = start_year - 2022
    return (
        max(D("0.144") - D("0.004") * steps, D(0)),
        max(D("1080") - 30 * steps, D(0)),
        max(D("324") - 9 * steps, D(0)),
    )


@dataclass(frozen=True)
class VersorgungIncome:
    gross: Decimal
    allowance: Decimal  # Versorgungsfreibetrag
    surcharge: Decimal  # Zuschlag zum Versorgungsfreibetrag
    taxable: Decimal  # before the Werbungskosten-Pauschbetrag


def civil_servant_pension(
    *, gross: Decimal, start_year: int, tax_year: int, basis: Decimal
) -> VersorgungIncome:
    """Versorgungsbezüge less the Versorgungsfreibetrag (``basis`` × percentage, at most the
    maximum; the basis is the pension of the first month × 12 plus special payments) and its
    Zuschlag, never below zero (§ 19 Abs. 2 EStG). The allowance is rounded up to full cents, as
    the official programme flow for the wage tax does (in the taxpayer's favour)."""
    if start_year > tax_year:
        raise ValueError(f"Die Versorgung beginnt {start_year}, nach dem Steuerjahr {tax_year}.")
    if gross < 0 or basis < 0:
        raise ValueError("Versorgungsbezüge können nicht negativ sein.")
    share, maximum, surcharge = versorgung_allowance(start_year)
    allowance = min((basis * share).quantize(D("0.01"), rounding=ROUND_UP), maximum)
    allowance = min(allowance, gross)
    surcharge = min(surcharge, gross - allowance)
    return VersorgungIncome(gross, allowance, surcharge, gross - allowance - surcharge)
