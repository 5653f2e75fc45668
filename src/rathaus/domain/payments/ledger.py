"""Double-entry bookkeeping for claims and payments (doppelte Buchführung).

Every business event becomes one journal entry whose postings sum to zero (debits
positive, credits negative), so no euro appears or disappears. Accounts:

* ``receivable``  Forderungen: what debtors owe (one sub-ledger per claim)
* ``revenue``     Erträge aus Gebühren
* ``bank``        Bankkonto der Kasse
* ``psp``         Verrechnungskonto Zahlungsdienstleister (online payments in transit)
* ``suspense``    Verwahrgelder: money received that belongs to no claim (yet), over-payments

Invariants (``check``): each entry balances; a claim's receivable balance equals its amount
minus what was paid plus what was refunded of it, and is never negative; the whole ledger
sums to zero. ``entries_for_*`` build the postings, so the rules live in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ACCOUNTS",
    "LedgerError",
    "Posting",
    "balance",
    "check_entry",
    "postings_for_cancellation",
    "postings_for_claim",
    "postings_for_payment",
    "postings_for_refund",
    "postings_for_suspense_match",
    "postings_for_unmatched_credit",
]

RECEIVABLE, REVENUE, BANK, PSP, SUSPENSE = "receivable", "revenue", "bank", "psp", "suspense"
ACCOUNTS = (RECEIVABLE, REVENUE, BANK, PSP, SUSPENSE)
ZERO = Decimal("0.00")


class LedgerError(ValueError):
    """A booking would break an invariant; German message."""


@dataclass(frozen=True)
class Posting:
    """One line of a journal entry: ``amount`` > 0 debits, < 0 credits ``account``."""

    account: str
    amount: Decimal
    claim_id: int | None = None


def _positive(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal) or amount != amount.quantize(Decimal("0.01")):
        raise LedgerError("Beträge werden in ganzen Cent gebucht.")
    if amount <= 0:
        raise LedgerError("Ein Buchungsbetrag muss größer als null sein.")
    return amount


def check_entry(postings: Iterable[Posting]) -> list[Posting]:
    """The postings, if they form a valid entry (known accounts, sum zero, no empty lines)."""
    lines = list(postings)
    if len(lines) < 2:
        raise LedgerError("Eine Buchung braucht mindestens eine Soll- und eine Habenzeile.")
    for line in lines:
        if line.account not in ACCOUNTS:
            raise LedgerError(f"Unbekanntes Konto „{line.account}“.")
        if line.amount == 0:
            raise LedgerError("Buchungszeilen über null Euro sind nicht zulässig.")
    if sum((line.amount for line in lines), ZERO) != 0:
        raise LedgerError("Soll und Haben der Buchung sind nicht ausgeglichen.")
    return lines


def postings_for_claim(*, claim_id: int, amount: Decimal) -> list[Posting]:
    """A claim is issued: Forderung an Ertrag."""
    amount = _positive(amount)
    return check_entry([Posting(RECEIVABLE, amount, claim_id), Posting(REVENUE, -amount)])


def postings_for_payment(*, claim_id: int, amount: Decimal, open_amount: Decimal, via: str) -> list[Posting]:
    """Money for a claim arrives ``via`` ``bank`` or ``psp``: it settles up to the open amount;
    the excess (over-payment) goes to Verwahrgeld, to be refunded or applied by staff."""
    amount = _positive(amount)
    if via not in (BANK, PSP):
        raise LedgerError(f"Zahlungen kommen über die Bank oder den Zahlungsdienst, nicht über „{via}“.")
    settled = min(amount, max(open_amount, ZERO))
    lines = [Posting(via, amount)]
    if settled > 0:
        lines.append(Posting(RECEIVABLE, -settled, claim_id))
    if amount - settled > 0:
        lines.append(Posting(SUSPENSE, -(amount - settled), claim_id))
    return check_entry(lines)


def postings_for_unmatched_credit(*, amount: Decimal) -> list[Posting]:
    """A bank credit nobody can assign yet: Bank an Verwahrgeld."""
    amount = _positive(amount)
    return check_entry([Posting(BANK, amount), Posting(SUSPENSE, -amount)])


def postings_for_suspense_match(*, claim_id: int, amount: Decimal, open_amount: Decimal) -> list[Posting]:
    """Staff assign a held credit to a claim: Verwahrgeld an Forderung (excess stays held)."""
    amount = _positive(amount)
    settled = min(amount, max(open_amount, ZERO))
    if settled <= 0:
        raise LedgerError("Die Forderung ist bereits vollständig bezahlt.")
    return check_entry([Posting(SUSPENSE, settled), Posting(RECEIVABLE, -settled, claim_id)])


def postings_for_refund(
    *, claim_id: int, amount: Decimal, via: str, from_suspense: Decimal = ZERO
) -> list[Posting]:
    """Money goes back to the payer ``via`` bank or psp. First from what is held for the
    claim (over-payment), the rest reverses revenue (the fee is returned)."""
    amount = _positive(amount)
    held = min(from_suspense, amount)
    lines = [Posting(via, -amount)]
    if held > 0:
        lines.append(Posting(SUSPENSE, held, claim_id))
    if amount - held > 0:
        lines.append(Posting(REVENUE, amount - held))
    return check_entry(lines)


def postings_for_cancellation(*, claim_id: int, open_amount: Decimal) -> list[Posting]:
    """An open claim is cancelled (Niederschlagung/Aufhebung): Ertrag an Forderung."""
    amount = _positive(open_amount)
    return check_entry([Posting(REVENUE, amount), Posting(RECEIVABLE, -amount, claim_id)])


def balance(postings: Iterable[Posting]) -> dict[tuple[str, int | None], Decimal]:
    """Balances per (account, claim) — claim only for receivable and suspense lines."""
    result: dict[tuple[str, int | None], Decimal] = defaultdict(lambda: ZERO)
    for line in postings:
        key = line.claim_id if line.account in (RECEIVABLE, SUSPENSE) else None
        result[(line.account, key)] += line.amount
    return dict(result)
