"""Income tax of pensioners: the § 32a tariff at its zone boundaries for each year, splitting,
the Solidaritätszuschlag's Freigrenze and transition zone, the pension tables, and worked
assessments (each test names the norm it checks; the worked examples show their arithmetic)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from rathaus.domain.tax.assessment import (
    CivilServantPension,
    OutsideRules,
    StatutoryPension,
    Taxpayer,
    assess,
)
from rathaus.domain.tax.parameters import TARIFFS, UnknownYear
from rathaus.domain.tax.pensions import pension_taxable_share, statutory_pension, versorgung_allowance
from rathaus.domain.tax.tariff import income_tax, solidarity_surcharge


@pytest.mark.parametrize("year", sorted(TARIFFS))
def test_the_tariff_is_zero_up_to_the_basic_allowance_and_continuous_at_every_zone_boundary(year):
    """§ 32a Abs. 1 EStG: the constants of each zone continue the zone before (the law's
    construction), so the tax at a zone's last euro equals the next formula's value there."""
    t = TARIFFS[year]
    assert income_tax(D(t.basic_allowance), year) == 0
    assert income_tax(D(t.basic_allowance + 1), year) == 0  # (a2·0.0001 + 1400)·0.0001 < 1 €
    assert income_tax(D(t.zone2_end), year) == int(t.c3)  # zone 3 starts at c3
    zone4_at_end3 = D("0.42") * t.zone3_end - t.c4
    assert abs(income_tax(D(t.zone3_end), year) - zone4_at_end3) <= 1
    assert income_tax(D(t.zone4_end), year) == int(D("0.42") * t.zone4_end - t.c4)
    assert income_tax(D(t.zone4_end + 1), year) == int(D("0.45") * (t.zone4_end + 1) - t.c5)


def test_the_tariff_rounds_the_income_and_the_tax_down_to_euros():
    """§ 32a Abs. 1 Satz 1 and 6 EStG; 2025, zone 2: y = (17,000 − 12,096) / 10,000 = 0.4904,
    (932.30 · 0.4904 + 1,400) · 0.4904 = 910.77… → 910 €; 17,000.99 € is taxed as 17,000 €."""
    assert income_tax(D("17000"), 2025) == 910
    assert income_tax(D("17000.99"), 2025) == 910


def test_splitting_is_twice_the_tax_on_half_the_income():
    """§ 32a Abs. 5 EStG."""
    for year in TARIFFS:
        assert income_tax(D("60000"), year, joint=True) == 2 * income_tax(D("30000"), year)
        assert income_tax(D("60001"), year, joint=True) == 2 * income_tax(
            D("30000"), year
        )  # halves rounded down


def test_the_solidarity_surcharge_freigrenze_transition_and_full_rate():
    """§ 3 Abs. 3, § 4 SolZG 1995 (2025: Freigrenze 19,950 €, joint 39,900 €)."""
    assert solidarity_surcharge(D("19950"), 2025) == 0
    assert solidarity_surcharge(D("20000"), 2025) == D("5.95")  # 11.9 % of 50 € < 5.5 % of 20,000 €
    assert solidarity_surcharge(D("60000"), 2025) == D("3300.00")  # 5.5 %
    assert solidarity_surcharge(D("39900"), 2025, joint=True) == 0


@pytest.mark.parametrize(
    ("start", "share"),
    [(2004, "0.50"), (2005, "0.50"), (2006, "0.52"), (2020, "0.80"), (2021, "0.81"), (2022, "0.82"),
     (2023, "0.825"), (2024, "0.83"), (2025, "0.835"), (2026, "0.84"), (2058, "1.00"), (2060, "1.00")],
)  # fmt: skip
def test_the_taxable_share_of_statutory_pensions_by_start_year(start, share):
    """§ 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst. aa EStG, table as amended by the
    Wachstumschancengesetz (from 2023: +0.5 points a year)."""
    assert pension_taxable_share(start) == D(share)


@pytest.mark.parametrize(
    ("start", "expected"),
    [(2005, ("0.40", 3000, 900)), (2006, ("0.384", 2880, 864)), (2020, ("0.16", 1200, 360)),
     (2022, ("0.144", 1080, 324)), (2023, ("0.140", 1050, 315)), (2026, ("0.128", 960, 288))],
)  # fmt: skip
def test_the_versorgungsfreibetrag_table_by_start_year(start, expected):
    """§ 19 Abs. 2 Satz 3 EStG (from 2023: −0.4 points, −30 €, −9 € a year)."""
    share, maximum, surcharge = versorgung_allowance(start)
    assert (share, maximum, surcharge) == (D(expected[0]), D(expected[1]), D(expected[2]))


def test_the_tax_free_part_is_fixed_from_the_pension_of_the_year_after_the_start():
    """§ 22 Nr. 1 Satz 3 Buchst. a Doppelbuchst. aa Satz 4–5 EStG: start 2015 (70 %), pension of
    2016 14,000 € → 4,200 € tax-free for good; in 2025 a pension of 18,000 € is taxable with
    13,800 €. In the start year the share applies to the gross pension."""
    later = statutory_pension(
        gross=D("18000"), start_year=2015, tax_year=2025, gross_following_year=D("14000")
    )
    assert (later.tax_free, later.taxable) == (D("4200.00"), D("13800.00"))
    first = statutory_pension(gross=D("9000"), start_year=2025, tax_year=2025, gross_following_year=None)
    assert first.taxable == D("7515.00") and first.first_year  # 83.5 %


def test_a_worked_single_pensioner_2025():
    """Pension 30,000 € (start 2010: 60 %; 2011's pension 24,000 € → 9,600 € tax-free):
    20,400 − 102 (§ 9a Nr. 3) = 20,298; − 36 (§ 10c) − 2,300 − 1,000 (§ 10 Abs. 1 Nr. 3) = 16,962 €;
    y = 0.4866, (932.30 · 0.4866 + 1,400) · 0.4866 = 901.99… → 901 €; no Soli (below 19,950 €);
    church tax 8 % = 72.08 €."""
    person = Taxpayer(
        name="Ilse Brinkmann", church_member=True,
        statutory=(StatutoryPension(D("30000"), 2010, D("24000")),),
        health_insurance=D("2300"), care_insurance=D("1000"),
    )  # fmt: skip
    result = assess((person,), tax_year=2025)
    assert result.taxable_income == 16962 and result.income_tax == 901
    assert result.solidarity_surcharge == 0 and result.church_tax == D("72.08")
    assert result.total == D("973.08")
    rules = " | ".join(line.rule for line in result.lines)
    assert (
        "Besteuerungsanteil 60.0 %" in rules and "§ 9a Satz 1 Nr. 3 EStG" in rules and "Grundtarif" in rules
    )


def test_a_worked_couple_with_a_civil_servant_pension_2026():
    """He: civil-servant pension 36,000 € from 2018 (19.2 % of the basis 36,000 = 6,912, at most
    1,440 €; Zuschlag 432 €) → 34,128 − 102 = 34,026 €. She: statutory pension 12,000 € from 2020
    (80 %; 2021's pension 11,000 € → 2,200 € tax-free) → 9,800 − 102 = 9,698 €. Together 43,724 −
    72 − 4,000 (insurance) = 39,652 €; splitting: 2 × tax(19,826) in 2026:
    z = (19,826 − 17,799) / 10,000 = 0.2027, (173.10 · 0.2027 + 2,397) · 0.2027 + 1,034.87 =
    1,527.86… → 1,527 €; × 2 = 3,054 €."""
    he = Taxpayer(name="Hinrich", civil_servant=(CivilServantPension(D("36000"), 2018, D("36000")),),
                  health_insurance=D("2000"), care_insurance=D("800"))  # fmt: skip
    she = Taxpayer(name="Gesine", statutory=(StatutoryPension(D("12000"), 2020, D("11000")),),
                   health_insurance=D("900"), care_insurance=D("300"))  # fmt: skip
    result = assess((he, she), tax_year=2026, joint=True)
    assert result.taxable_income == 39652 and result.income_tax == 3054
    assert result.solidarity_surcharge == 0 and result.church_tax == 0


def test_cases_outside_the_rules_go_to_a_clerk_and_bad_input_is_refused():
    pension = (StatutoryPension(D("20000"), 2015, D("18000")),)
    with pytest.raises(OutsideRules, match="weitere Einkünfte"):
        assess((Taxpayer("A", statutory=pension, other_income=True),), tax_year=2025)
    with pytest.raises(OutsideRules, match="Kirche"):
        assess((Taxpayer("A", True, pension), Taxpayer("B", False, pension)), tax_year=2025, joint=True)
    with pytest.raises(OutsideRules, match="verstorben"):
        assess((Taxpayer("A", statutory=pension, died_or_moved_away=True),), tax_year=2025)
    with pytest.raises(ValueError, match="nach dem Steuerjahr"):
        assess((Taxpayer("A", statutory=(StatutoryPension(D("1"), 2026),)),), tax_year=2025)
    with pytest.raises(ValueError, match="negativ"):
        assess((Taxpayer("A", statutory=(StatutoryPension(D("-1"), 2015),)),), tax_year=2025)
    with pytest.raises(UnknownYear):
        assess((Taxpayer("A", statutory=pension),), tax_year=2023)
