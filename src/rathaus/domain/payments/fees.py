"""Fee calculation from a fee schedule (Gebührenverzeichnis) held as data.

A tariff (``FeeRule``) is one line of a fee schedule, valid from a date (and optionally
until one), with its legal basis. It is one of:

* ``flat``     a fixed amount (Festgebühr),
* ``per_unit`` an amount per unit, e.g. per page or per started 15 minutes (Zeitgebühr),
* ``range``    a frame fee (Rahmengebühr, § 4 BremGebBeitrG): the office sets the amount
  within ``minimum`` … ``maximum``; the default is ``amount``,
* ``tiered``   steps by the value of the matter (Wertgebühr): ``tiers`` of (up to value, amount).

``minimum``/``maximum`` bound every kind. Reductions (Ermäßigungen) are percentages with a
code and their own legal basis; an exemption (Gebührenbefreiung) is a reduction of 100 %.
Rounding: the result is rounded half up to whole cents (DIN 1333) after every step.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from rathaus.domain.money import CENT, format_eur

__all__ = [
    "FeeError",
    "FeeResult",
    "FeeRule",
    "Reduction",
    "calculate_fee",
    "rule_valid_on",
]

KINDS = ("flat", "per_unit", "range", "tiered")


class FeeError(ValueError):
    """The fee cannot be calculated from the given input; German message."""


@dataclass(frozen=True)
class Reduction:
    """A reduction: ``percent`` off (100 = exemption), with its legal basis."""

    code: str
    label: str
    percent: Decimal
    legal_basis: str = ""


@dataclass(frozen=True)
class FeeRule:
    key: str
    title: str
    legal_basis: str
    kind: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None
    amount: Decimal = Decimal("0")
    unit_label: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()
    reductions: tuple[Reduction, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FeeError(f"Unbekannte Gebührenart „{self.kind}“ (erlaubt: {', '.join(KINDS)}).")
        if self.amount < 0:
            raise FeeError("Ein Gebührensatz kann nicht negativ sein.")
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise FeeError("Das Ende der Gültigkeit liegt vor ihrem Beginn.")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise FeeError("Die Mindestgebühr ist höher als die Höchstgebühr.")
        if self.kind == "tiered" and not self.tiers:
            raise FeeError("Eine Wertgebühr braucht Stufen.")

    def valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class FeeResult:
    """The fee due, with the explanation a Bescheid states (each line German)."""

    amount: Decimal
    base: Decimal
    rule_key: str
    legal_basis: str
    lines: tuple[str, ...]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def rule_valid_on(rules: Iterable[FeeRule], key: str, day: datetime.date) -> FeeRule:
    """The version of tariff ``key`` valid on ``day`` (the latest ``valid_from`` wins)."""
    matching = [r for r in rules if r.key == key and r.valid_on(day)]
    if not matching:
        raise FeeError(f"Für „{key}“ gibt es am {day:%d.%m.%Y} keinen gültigen Gebührentarif.")
    return max(matching, key=lambda r: r.valid_from)


def _fmt(value: Decimal) -> str:
    """German display, as everywhere: "1.234,50 €"."""
    return format_eur(value, "de")


def calculate_fee(
    rule: FeeRule,
    *,
    quantity: int = 1,
    value: Decimal | None = None,
    set_amount: Decimal | None = None,
    reductions: Sequence[str] = (),
) -> FeeResult:
    """The fee under ``rule``.

    ``quantity`` counts units (``per_unit``), ``value`` is the value of the matter
    (``tiered``), ``set_amount`` is the amount the office fixed within a frame (``range``).
    ``reductions`` are codes of ``rule.reductions``; several apply one after the other.
    """
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise FeeError("Die Anzahl muss eine positive ganze Zahl sein.")
    base, line = _base(rule, quantity=quantity, value=value, set_amount=set_amount)
    lines = [line]
    base = _cents(base)
    if base < 0:
        raise FeeError("Eine Gebühr kann nicht negativ sein.")
    amount = base
    if rule.minimum is not None and amount < rule.minimum:
        amount = rule.minimum
        lines.append(f"Mindestgebühr {_fmt(amount)}")
    if rule.maximum is not None and amount > rule.maximum:
        amount = rule.maximum
        lines.append(f"Höchstgebühr {_fmt(amount)}")
    amount = _reduce(amount, rule, reductions, lines)
    return FeeResult(
        amount=_cents(amount), base=base, rule_key=rule.key, legal_basis=rule.legal_basis, lines=tuple(lines)
    )


def _base(
    rule: FeeRule, *, quantity: int, value: Decimal | None, set_amount: Decimal | None
) -> tuple[Decimal, str]:
    """The fee by the rule's kind, before bounds and reductions, and the line explaining it."""
    if rule.kind == "flat":
        return rule.amount, f"Festgebühr {_fmt(rule.amount)}"
    if rule.kind == "per_unit":
        base = rule.amount * quantity
        return base, f"{quantity} × {_fmt(rule.amount)} je {rule.unit_label or 'Einheit'} = {_fmt(base)}"
    if rule.kind == "range":
        base = rule.amount if set_amount is None else set_amount
        if set_amount is not None and (
            (rule.minimum is not None and set_amount < rule.minimum)
            or (rule.maximum is not None and set_amount > rule.maximum)
        ):
            raise FeeError(
                f"Der festgesetzte Betrag {_fmt(set_amount)} liegt außerhalb des Gebührenrahmens "
                f"{_fmt(rule.minimum or Decimal(0))} bis {_fmt(rule.maximum or set_amount)}."
            )
        return base, f"Rahmengebühr, festgesetzt auf {_fmt(base)}"
    if value is None or value < 0:
        raise FeeError("Für eine Wertgebühr muss der Wert des Gegenstands angegeben werden.")
    base = next((amount for upper, amount in rule.tiers if value <= upper), rule.tiers[-1][1])
    return base, f"Wertgebühr für einen Wert von {_fmt(value)}: {_fmt(base)}"


def _reduce(amount: Decimal, rule: FeeRule, reductions: Sequence[str], lines: list[str]) -> Decimal:
    """Apply the reductions ``reductions`` (codes of ``rule.reductions``) one after the other."""
    known = {r.code: r for r in rule.reductions}
    for code in dict.fromkeys(reductions):
        reduction = known.get(code)
        if reduction is None:
            raise FeeError(f"Die Ermäßigung „{code}“ ist für diesen Tarif nicht vorgesehen.")
        off = _cents(amount * reduction.percent / 100)
        amount = max(Decimal("0.00"), amount - off)
        basis = f" ({reduction.legal_basis})" if reduction.legal_basis else ""
        lines.append(f"{reduction.label}: −{reduction.percent} % = −{_fmt(off)}{basis}")
    return amount
