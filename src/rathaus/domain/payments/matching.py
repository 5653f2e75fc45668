"""Matching bank credits to claims by the Kassenzeichen in the remittance text.

Rules, in order:

1. Every candidate in the text with a valid check digit that names a known claim → that
   claim (``exact``). Two different known claims → ``ambiguous`` (manual queue).
2. Otherwise candidates with a wrong check digit (or one digit missing or doubled) are
   corrected by one typing mistake (``kassenzeichen.corrections``); exactly one correction
   naming a known claim → that claim (``corrected``). More than one: if exactly one of
   them has an open amount equal to the credit, that one; otherwise ``ambiguous``
   (sequential Kassenzeichen lie close together, so one typo can reach two of them).
3. Nothing found → ``none`` (manual queue).

Then the amount: equal to the open amount → ``full``; less → ``partial``; more → ``over``
(the excess is held as Verwahrgeld); a claim that is already settled → ``already_paid``
(the money is held and staff refund it). Currencies other than EUR are never matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from . import kassenzeichen

__all__ = ["Match", "match_credit"]


@dataclass(frozen=True)
class Match:
    """Outcome for one credit: ``how`` is exact/corrected/ambiguous/none/currency,
    ``amount_check`` is full/partial/over/already_paid or "" when no claim was found."""

    how: str
    kassenzeichen: str = ""
    amount_check: str = ""
    note: str = ""

    @property
    def matched(self) -> bool:
        return self.how in ("exact", "corrected")


def _amount_check(amount: Decimal, open_amount: Decimal) -> str:
    if open_amount <= 0:
        return "already_paid"
    if amount == open_amount:
        return "full"
    return "partial" if amount < open_amount else "over"


def match_credit(
    *, remittance: str, amount: Decimal, currency: str, open_amounts: Mapping[str, Decimal]
) -> Match:
    """Find the claim for a credit. ``open_amounts`` maps known Kassenzeichen (12 digits,
    including settled claims) to their open amount."""
    if currency != "EUR":
        return Match("currency", note=f"Währung {currency} wird nicht automatisch zugeordnet.")
    if amount <= 0:
        return Match("none", note="Betrag ist nicht positiv.")
    candidates = kassenzeichen.candidates_in(remittance)
    exact = list(dict.fromkeys(c.digits for c in candidates if c.valid and c.digits in open_amounts))
    if len(exact) == 1:
        kz = exact[0]
        return Match("exact", kz, _amount_check(amount, open_amounts[kz]))
    if len(exact) > 1:
        return Match("ambiguous", note="Mehrere Kassenzeichen: " + ", ".join(exact))
    corrected: list[str] = []
    for candidate in candidates:
        if candidate.valid:
            continue  # valid but unknown: a typo would have broken the check digit
        for variant in kassenzeichen.corrections(candidate.digits):
            if variant in open_amounts and variant not in corrected:
                corrected.append(variant)
    if len(corrected) == 1:
        kz = corrected[0]
        return Match(
            "corrected",
            kz,
            _amount_check(amount, open_amounts[kz]),
            note="Kassenzeichen mit Tippfehler erkannt und korrigiert.",
        )
    if len(corrected) > 1:
        fitting = [k for k in corrected if open_amounts[k] == amount]
        if len(fitting) == 1:
            return Match(
                "corrected",
                fitting[0],
                "full",
                note="Kassenzeichen mit Tippfehler erkannt; eindeutig durch den Betrag.",
            )
        return Match("ambiguous", note="Mehrere mögliche Korrekturen: " + ", ".join(corrected))
    return Match("none", note="Kein bekanntes Kassenzeichen im Verwendungszweck.")
