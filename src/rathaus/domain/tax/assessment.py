"""The income tax assessment of a pensioner, or of spouses assessed jointly, whose only income
are pensions: every figure with the rule it follows.

In scope (what the automatic assessment may decide): statutory pensions (§ 22 EStG) and
civil-servant pensions (§ 19 EStG), health and care insurance contributions as Vorsorgeaufwendungen
(§ 10 Abs. 1 Nr. 3 EStG, deductible in full as basic cover, § 10 Abs. 4 Satz 4), the lump sums
for expenses (§ 9a) and special expenses (§ 10c), the tariff (§ 32a, splitting § 32a Abs. 5),
Solidaritätszuschlag and church tax. Outside it (``OutsideRules``: a clerk decides): other
income (which would also bring the Altersentlastungsbetrag of § 24a into play), spouses of whom
only one belongs to a church (church tax then follows the split of § 51a EStG and the church
tax law), a taxpayer who died or moved away during the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .parameters import CHURCH_TAX_RATE_BREMEN, year_parameters
from .pensions import (
    PENSION_SHARE_CITATION,
    VERSORGUNG_CITATION,
    civil_servant_pension,
    statutory_pension,
)
from .tariff import church_tax, euros_down, income_tax, solidarity_surcharge

D = Decimal


class OutsideRules(ValueError):
    """The case is not one the automatic assessment decides; ``reason`` says why (for the clerk)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StatutoryPension:
    gross: Decimal  # Jahresbetrag der Rente in the tax year (Rentenbezugsmitteilung)
    start_year: int
    gross_following_year: Decimal | None = None  # the pension of the year after the start year


@dataclass(frozen=True)
class CivilServantPension:
    gross: Decimal  # Versorgungsbezüge in the tax year
    start_year: int
    basis: Decimal  # Bemessungsgrundlage für den Versorgungsfreibetrag


@dataclass(frozen=True)
class Taxpayer:
    name: str
    church_member: bool = False
    statutory: tuple[StatutoryPension, ...] = ()
    civil_servant: tuple[CivilServantPension, ...] = ()
    health_insurance: Decimal = D(0)  # contributions paid in the tax year (basic cover)
    care_insurance: Decimal = D(0)
    other_income: bool = False  # any income besides pensions was reported
    died_or_moved_away: bool = False


@dataclass(frozen=True)
class Line:
    """One figure of the assessment: what it is, its amount, and the rule with its numbers."""

    label: str
    amount: Decimal
    rule: str


@dataclass(frozen=True)
class Assessment:
    tax_year: int
    joint: bool
    taxable_income: Decimal  # zu versteuerndes Einkommen, full euros
    income_tax: Decimal
    solidarity_surcharge: Decimal
    church_tax: Decimal
    lines: tuple[Line, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return self.income_tax + self.solidarity_surcharge + self.church_tax


def _eur(amount: Decimal) -> str:
    """ "1.234,56 €" (German notation for the explanations)."""
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} €"


def _check(taxpayers: tuple[Taxpayer, ...], tax_year: int, joint: bool) -> None:
    year_parameters(tax_year)  # an unknown year is refused before anything else
    if not 1 <= len(taxpayers) <= 2 or (len(taxpayers) == 2) != joint:
        raise ValueError("Eine Einzelveranlagung hat eine Person, eine Zusammenveranlagung zwei.")
    for person in taxpayers:
        if person.other_income:
            raise OutsideRules(f"{person.name} hat weitere Einkünfte gemeldet.")
        if person.died_or_moved_away:
            raise OutsideRules(f"{person.name} ist im Steuerjahr verstorben oder weggezogen.")
        if person.health_insurance < 0 or person.care_insurance < 0:
            raise ValueError("Beiträge zur Kranken- und Pflegeversicherung können nicht negativ sein.")
    if joint and taxpayers[0].church_member != taxpayers[1].church_member:
        raise OutsideRules(
            "Nur eine der beiden Personen gehört einer Kirche an (Aufteilung nach § 51a EStG)."
        )


def _pension_lines(person: Taxpayer, tax_year: int, lump_sum: Decimal) -> tuple[Decimal, list[Line]]:
    """The person's income from pensions (§§ 19, 22 EStG) and its lines."""
    lines: list[Line] = []
    total = D(0)
    taxable_22 = D(0)
    for pension in person.statutory:
        part = statutory_pension(
            gross=pension.gross, start_year=pension.start_year, tax_year=tax_year,
            gross_following_year=pension.gross_following_year,
        )  # fmt: skip
        rule = (
            f"{PENSION_SHARE_CITATION}: Beginn {pension.start_year}, "
            f"Besteuerungsanteil {part.share * 100:.1f} %"
            + (
                " der Rente"
                if part.first_year
                else f", steuerfreier Teil {_eur(part.tax_free)} festgeschrieben"
            )
        )
        lines.append(
            Line(f"{person.name}: steuerpflichtiger Teil der Rente ({_eur(part.gross)})", part.taxable, rule)
        )
        taxable_22 += part.taxable
    if person.statutory:
        deduction = min(lump_sum, taxable_22)
        lines.append(
            Line(f"{person.name}: Werbungskosten-Pauschbetrag (Renten)", -deduction, "§ 9a Satz 1 Nr. 3 EStG")
        )
        total += taxable_22 - deduction
    taxable_19 = D(0)
    for service in person.civil_servant:
        versorgung = civil_servant_pension(
            gross=service.gross, start_year=service.start_year, tax_year=tax_year, basis=service.basis
        )
        rule = (
            f"{VERSORGUNG_CITATION}: Beginn {service.start_year}, "
            f"Versorgungsfreibetrag {_eur(versorgung.allowance)}, "
            f"Zuschlag {_eur(versorgung.surcharge)}"
        )
        lines.append(
            Line(
                f"{person.name}: Versorgungsbezüge ({_eur(versorgung.gross)}) nach Freibeträgen",
                versorgung.taxable,
                rule,
            )
        )
        taxable_19 += versorgung.taxable
    if person.civil_servant:
        deduction = min(lump_sum, taxable_19)
        lines.append(
            Line(
                f"{person.name}: Werbungskosten-Pauschbetrag (Versorgungsbezüge)",
                -deduction,
                "§ 9a Satz 1 Nr. 1 Buchst. b EStG",
            )
        )
        total += taxable_19 - deduction
    return total, lines


def _deductions(
    taxpayers: tuple[Taxpayer, ...], lump_sum: Decimal, joint: bool
) -> tuple[Decimal, list[Line]]:
    """Special expenses (the lump sum) and the health and care insurance contributions."""
    special = lump_sum * len(taxpayers)
    insurance = sum((p.health_insurance + p.care_insurance for p in taxpayers), D(0))
    return special + insurance, [
        Line("Sonderausgaben-Pauschbetrag", -special, f"§ 10c Satz 1{' und 2' if joint else ''} EStG"),
        Line(
            "Beiträge zur Kranken- und Pflegeversicherung",
            -insurance,
            "§ 10 Abs. 1 Nr. 3, Abs. 4 Satz 4 EStG",
        ),
    ]


def assess(
    taxpayers: tuple[Taxpayer, ...],
    *,
    tax_year: int,
    joint: bool = False,
    church_rate: Decimal = CHURCH_TAX_RATE_BREMEN,
) -> Assessment:
    """The assessment of one taxpayer (``joint=False``) or of spouses (``joint=True``, two)."""
    _check(taxpayers, tax_year, joint)
    parameters = year_parameters(tax_year)
    lines: list[Line] = []
    income = D(0)
    for person in taxpayers:
        own, own_lines = _pension_lines(person, tax_year, parameters.income_related_lump_sum)
        income += own
        lines.extend(own_lines)
    lines.append(Line("Gesamtbetrag der Einkünfte", income, "§ 2 Abs. 3 EStG"))
    deductions, deduction_lines = _deductions(taxpayers, parameters.special_expenses_lump_sum, joint)
    lines.extend(deduction_lines)
    taxable = euros_down(max(income - deductions, D(0)))
    lines.append(
        Line(
            "Zu versteuerndes Einkommen (auf volle Euro abgerundet)",
            taxable,
            "§ 2 Abs. 5, § 32a Abs. 1 Satz 1 EStG",
        )
    )
    tax = income_tax(taxable, tax_year, joint=joint)
    tariff_rule = parameters.tariff.citation + (
        ", Splittingverfahren § 32a Abs. 5 EStG" if joint else ", Grundtarif"
    )
    lines.append(Line("Einkommensteuer", tax, tariff_rule))
    soli = solidarity_surcharge(tax, tax_year, joint=joint)
    limit = parameters.soli_exemption_joint if joint else parameters.soli_exemption_single
    lines.append(
        Line(
            "Solidaritätszuschlag",
            soli,
            f"{parameters.soli_citation}, §§ 3, 4 SolZG: Freigrenze {_eur(D(limit))}",
        )
    )
    church = church_tax(tax, church_rate) if all(p.church_member for p in taxpayers) else D(0)
    if church:
        lines.append(
            Line(
                "Kirchensteuer",
                church,
                f"Kirchensteuergesetz Bremen: {church_rate * 100:.0f} % der Einkommensteuer",
            )
        )
    return Assessment(tax_year, joint, taxable, tax, soli, church, tuple(lines))
