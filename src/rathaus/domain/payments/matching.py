"""Matching bank credits to claims by the Kassenzeichen in the remittance text.

Money must never reach the wrong person's claim, so only what is unambiguous is booked
automatically; everything else goes to the cash office's manual queue with the candidate
claims listed. Rules, in order:

1. Every candidate in the text with a valid check digit that names a known claim → that
   claim (``exact``). Two different known claims → ``ambiguous`` (manual queue).
2. Otherwise candidates with a wrong check digit (or one digit missing or doubled) are
   corrected by one typing mistake (``kassenzeichen.corrections``); twelve digits cut out
   of a longer number count as such a repair too, even with a valid check digit. Such a repair is booked
   (``corrected``) only when exactly one *open* claim is reached, the credit pays exactly its
   open amount, and the payer's name on the transfer agrees with the claim's debtor (every
   part of the debtor's name appears, in any order, umlauts and transliterations alike).
   Anything else (two claims reached, another amount, another or no name) → ``suspect``:
   the manual queue, with the claims the repair could mean in ``candidates``. A wrong check
   digit can be a typo, or a different number the payer really meant (a security review
   found "…107-2", a transposed "…170-2", auto-booked to the claim "…105-2" of another
   citizen).
3. Nothing found → ``none`` (manual queue).

Then the amount: equal to the open amount → ``full``; less → ``partial``; more → ``over``
(the excess is held as Verwahrgeld); a claim that is already settled → ``already_paid``
(the money is held and staff refund it). Currencies other than EUR are never matched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..text import fold
from . import kassenzeichen

__all__ = ["Match", "OpenClaim", "match_credit", "names_agree"]


@dataclass(frozen=True)
class OpenClaim:
    """What matching needs to know of a claim: its open amount (0 once settled) and debtor."""

    open_amount: Decimal
    debtor_name: str = ""


@dataclass(frozen=True)
class Match:
    """Outcome for one credit: ``how`` is exact/corrected/ambiguous/suspect/none/currency,
    ``amount_check`` is full/partial/over/already_paid or "" when no claim was found;
    ``candidates`` the claims a person should look at when nothing was booked."""

    how: str
    kassenzeichen: str = ""
    amount_check: str = ""
    note: str = ""
    candidates: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.how in ("exact", "corrected")


def _name_parts(name: str) -> set[str]:
    folded = fold(name)
    for spelled, plain in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        folded = folded.replace(spelled, plain)
    return {part for part in "".join(c if c.isalnum() else " " for c in folded).split() if len(part) > 1}


def names_agree(debtor_name: str, payer_name: str) -> bool:
    """Every part of the claim's debtor name appears in the name on the transfer:
    "Anna Müller" agrees with "MUELLER, ANNA" and "Dr. Anna Müller", not with "Hans Müller"."""
    wanted = _name_parts(debtor_name)
    return bool(wanted) and wanted <= _name_parts(payer_name)


def _amount_check(amount: Decimal, open_amount: Decimal) -> str:
    if open_amount <= 0:
        return "already_paid"
    if amount == open_amount:
        return "full"
    return "partial" if amount < open_amount else "over"


def match_credit(
    *,
    remittance: str,
    amount: Decimal,
    currency: str,
    claims: Mapping[str, OpenClaim],
    payer_name: str = "",
    candidates: Sequence[kassenzeichen.Candidate] | None = None,
) -> Match:
    """Find the claim for a credit. ``claims`` maps known Kassenzeichen (12 digits, including
    settled claims) to what matching needs of them; ``payer_name`` is the transfer's debtor;
    ``candidates`` are ``kassenzeichen.candidates_in(remittance)`` when the caller has them."""
    if currency != "EUR":
        return Match("currency", note=f"Währung {currency} wird nicht automatisch zugeordnet.")
    if amount <= 0:
        return Match("none", note="Betrag ist nicht positiv.")
    if candidates is None:
        candidates = kassenzeichen.candidates_in(remittance)
    exact = list(
        dict.fromkeys(c.digits for c in candidates if c.valid and not c.in_longer_run and c.digits in claims)
    )
    if len(exact) == 1:
        kz = exact[0]
        return Match("exact", kz, _amount_check(amount, claims[kz].open_amount))
    if len(exact) > 1:
        return Match("ambiguous", note="Mehrere Kassenzeichen: " + ", ".join(exact), candidates=tuple(exact))
    repairs: list[str] = []
    for candidate in candidates:
        if candidate.in_longer_run:
            variants: list[str] = [candidate.digits]  # cut out of a longer number: a guess too
        elif candidate.valid:
            continue  # valid but unknown: a typo would have broken the check digit
        else:
            variants = list(candidate.repairs)
        for variant in variants:
            if variant in claims and variant not in repairs:
                repairs.append(variant)
    if not repairs:
        return Match("none", note="Kein bekanntes Kassenzeichen im Verwendungszweck.")
    open_repairs = [k for k in repairs if claims[k].open_amount > 0]
    if len(open_repairs) == 1:
        kz = open_repairs[0]
        claim = claims[kz]
        if claim.open_amount == amount and names_agree(claim.debtor_name, payer_name):
            return Match(
                "corrected",
                kz,
                "full",
                note="Kassenzeichen mit Tippfehler erkannt; Betrag und Name stimmen überein.",
            )
    return Match(
        "suspect",
        note="Kassenzeichen mit falscher Prüfziffer; bitte prüfen: " + ", ".join(repairs),
        candidates=tuple(repairs),
    )
