"""What every use case of the payments services shares: the errors, the ledger booking, the
rule that applies money received to a claim, and the row lock on a claim."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeAlias

from rathaus.accounts.types import User
from rathaus.domain.payments import ledger
from rathaus.kernel.exceptions import Conflict, PermissionDenied

from ..models import Claim, JournalEntry, Posting

# Who does something: a person, a system component's label ("rathaus demo") or None (the system).
Actor: TypeAlias = User | str | None

ZERO = Decimal("0.00")


class ClaimAlreadyPaid(Conflict):
    default_code = "claim_already_paid"
    default_message = "Diese Forderung ist bereits vollständig bezahlt."


class InvalidSignature(PermissionDenied):
    default_code = "invalid_signature"
    default_message = "Die Signatur der Benachrichtigung ist ungültig."


def book(
    *, kind: str, postings: Iterable[ledger.Posting], claim: Claim | None = None, memo: str = ""
) -> JournalEntry:
    """Write one balanced journal entry (the domain checks the balance)."""
    lines = ledger.check_entry(postings)
    entry = JournalEntry.objects.create(kind=kind, claim=claim, memo=memo[:300])
    Posting.objects.bulk_create(
        Posting(entry=entry, account=p.account, claim_id=p.claim_id, amount=p.amount) for p in lines
    )
    return entry


def _status_of(claim: Claim) -> str:
    if claim.status == Claim.Status.CANCELLED:
        return claim.status
    if claim.refunded_total > 0 and claim.refunded_total >= claim.paid_total:
        return Claim.Status.REFUNDED
    if claim.settled_total >= claim.amount:
        return Claim.Status.PAID
    if claim.settled_total > 0:
        return Claim.Status.PARTLY_PAID
    return Claim.Status.OPEN


def apply_receipt(claim: Claim, amount: Decimal, *, via: str) -> list[ledger.Posting]:
    """Apply money received for ``claim`` to its fields and return the postings (not saved).

    The one rule for single payments and for bulk bank reconciliation: the open amount is
    settled, the rest is held (Verwahrgeld) for a refund or a later decision.
    """
    open_amount = claim.open_amount
    postings = ledger.postings_for_payment(claim_id=claim.pk, amount=amount, open_amount=open_amount, via=via)
    settled = min(amount, open_amount)
    claim.paid_total += amount
    claim.settled_total += settled
    claim.held_total += amount - settled
    claim.status = _status_of(claim)
    return postings


def _locked(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)
