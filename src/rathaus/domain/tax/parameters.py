"""The figures of each tax year, each with the norm it comes from.

Sources (as amended for the years named): § 32a Abs. 1 EStG in the version of the Gesetz zur
steuerlichen Freistellung des Existenzminimums 2024 (BGBl. 2024 I Nr. 386) for 2024 and of the
Steuerfortentwicklungsgesetz (BGBl. 2024 I Nr. 449) for 2025 and 2026; § 3 Abs. 3 SolZG 1995 in
the same laws; § 9a Satz 1 Nr. 1 Buchst. b and Nr. 3 EStG (102 €), § 10c Satz 1 EStG (36 €);
Bremen's church tax rate of 8 % (Kirchensteuergesetz des Landes Bremen).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

D = Decimal


@dataclass(frozen=True)
class Tariff:
    """§ 32a Abs. 1 EStG: the five zones of the basic tariff for one year.

    zone 1: up to ``basic_allowance`` no tax; zone 2: (a2·y + 1 400)·y with
    y = (zvE − basic_allowance) / 10 000; zone 3 up to ``zone3_end``: (a3·z + 2 397)·z + c3 with
    z = (zvE − zone2_end) / 10 000; zone 4 up to ``zone4_end``: 0.42·x − c4; zone 5: 0.45·x − c5.
    """

    year: int
    basic_allowance: int  # Grundfreibetrag
    a2: Decimal
    zone2_end: int
    a3: Decimal
    c3: Decimal
    zone3_end: int
    c4: Decimal
    zone4_end: int
    c5: Decimal
    citation: str


@dataclass(frozen=True)
class YearParameters:
    year: int
    tariff: Tariff
    soli_exemption_single: int  # § 3 Abs. 3 SolZG: Freigrenze (income tax), basic tariff
    soli_exemption_joint: int  # … splitting tariff
    soli_citation: str
    income_related_lump_sum: Decimal = D("102")  # § 9a Satz 1 Nr. 1 Buchst. b and Nr. 3 EStG
    special_expenses_lump_sum: Decimal = D("36")  # § 10c Satz 1 EStG (doubled for couples)


SOLI_RATE = D("0.055")  # § 4 Satz 1 SolZG
SOLI_TRANSITION_RATE = D("0.119")  # § 4 Satz 2 SolZG: at most 11.9 % of the tax above the Freigrenze
CHURCH_TAX_RATE_BREMEN = D("0.08")  # Kirchensteuergesetz des Landes Bremen: 8 % of the income tax

TARIFFS = {
    2024: Tariff(
        year=2024, basic_allowance=11_784, a2=D("954.80"), zone2_end=17_005, a3=D("181.19"), c3=D("991.21"),
        zone3_end=66_760, c4=D("10636.31"), zone4_end=277_825, c5=D("18971.06"),
        citation="§ 32a Abs. 1 EStG 2024 (Gesetz vom 05.12.2024, BGBl. 2024 I Nr. 386)",
    ),
    2025: Tariff(
        year=2025, basic_allowance=12_096, a2=D("932.30"), zone2_end=17_443, a3=D("176.64"), c3=D("1015.13"),
        zone3_end=68_480, c4=D("10911.92"), zone4_end=277_825, c5=D("19246.67"),
        citation="§ 32a Abs. 1 EStG 2025 (Steuerfortentwicklungsgesetz, BGBl. 2024 I Nr. 449)",
    ),
    2026: Tariff(
        year=2026, basic_allowance=12_348, a2=D("914.51"), zone2_end=17_799, a3=D("173.10"), c3=D("1034.87"),
        zone3_end=69_878, c4=D("11135.63"), zone4_end=277_825, c5=D("19470.38"),
        citation="§ 32a Abs. 1 EStG 2026 (Steuerfortentwicklungsgesetz, BGBl. 2024 I Nr. 449)",
    ),
}  # fmt: skip

YEARS = {
    2024: YearParameters(
        year=2024, tariff=TARIFFS[2024], soli_exemption_single=18_130, soli_exemption_joint=36_260,
        soli_citation="§ 3 Abs. 3 SolZG 1995 (2024)",
    ),
    2025: YearParameters(
        year=2025, tariff=TARIFFS[2025], soli_exemption_single=19_950, soli_exemption_joint=39_900,
        soli_citation="§ 3 Abs. 3 SolZG 1995 (2025)",
    ),
    2026: YearParameters(
        year=2026, tariff=TARIFFS[2026], soli_exemption_single=20_350, soli_exemption_joint=40_700,
        soli_citation="§ 3 Abs. 3 SolZG 1995 (2026)",
    ),
}  # fmt: skip


class UnknownYear(ValueError):
    """A tax year without parameters."""


def year_parameters(year: int) -> YearParameters:
    try:
        return YEARS[year]
    except KeyError:
        known = ", ".join(str(y) for y in sorted(YEARS))
        raise UnknownYear(
            f"Für das Steuerjahr {year} sind keine Werte hinterlegt (vorhanden: {known})."
        ) from None
