"""Bank reconciliation: import camt statements, match credits to claims, book them; assign
credits by hand; the HKR export; the check of the books against the bank.

The import (``import_camt``) lives in ``camt_import`` (refusals, batches with one short
transaction each, continuing an interrupted import) and ``camt_booking`` (one batch: matching
and bulk writes); a credit already booked from another file (a camt.054 notification followed
by the camt.053 statement) is skipped by its bank reference. The rules are the same as for
single payments (``services.apply_receipt``, ``domain.payments``).
"""

from __future__ import annotations

import csv
import datetime
import io
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.payments import ledger
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .camt_import import ImportResult, import_camt
from .models import BankCredit, Claim, JournalEntry, Payment, Posting, Refund
from .services import _status_of, book, claims_paid

__all__ = ["ImportResult", "credit_assign", "hkr_export", "import_camt", "verify"]

CLAIM_FIELDS = ["paid_total", "settled_total", "held_total", "status"]
HALF_CENT = Decimal("0.005")


def _bank_payment(*, claim: Claim, dedup_key: str, amount: Decimal, **extra: Any) -> Payment:
    """The (unsaved) payment row of a bank transfer received for ``claim``."""
    return Payment(
        claim=claim,
        method=Payment.Method.BANK,
        provider="bank",
        request_id=uuid.uuid4().hex,
        transaction_id=dedup_key[:100],
        status=Payment.Status.PAYED,
        amount=amount,
        paid_at=timezone.now(),
        **extra,
    )


@transaction.atomic
def credit_assign(*, credit: BankCredit, claim: Claim, by: User) -> BankCredit:
    """Manual matching: assign an unmatched credit to a claim (money leaves Verwahrgeld)."""
    credit = BankCredit.objects.select_for_update().get(pk=credit.pk)
    if credit.status != BankCredit.Status.UNMATCHED:
        raise Conflict("Diese Gutschrift ist bereits zugeordnet.", code="credit_assigned")
    if credit.currency != "EUR":
        raise InvalidInput("Nur Gutschriften in Euro können zugeordnet werden.", code="currency")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.status == Claim.Status.CANCELLED:
        raise Conflict("Die Forderung ist aufgehoben.", code="claim_cancelled")
    open_amount = claim.open_amount
    settled = min(credit.amount, open_amount)
    excess = credit.amount - settled
    lines = []
    if settled > 0:
        lines += [
            ledger.Posting(ledger.SUSPENSE, settled),
            ledger.Posting(ledger.RECEIVABLE, -settled, claim.pk),
        ]
    if excess > 0:
        lines += [ledger.Posting(ledger.SUSPENSE, excess), ledger.Posting(ledger.SUSPENSE, -excess, claim.pk)]
    book(kind="manual_match", claim=claim, postings=lines, memo=f"Manuell zugeordnet {credit.dedup_key}")
    claim.paid_total += credit.amount
    claim.settled_total += settled
    claim.held_total += excess
    claim.status = _status_of(claim)
    claim.save(update_fields=CLAIM_FIELDS)
    _bank_payment(
        claim=claim, dedup_key=credit.dedup_key, amount=credit.amount, bank_credit=credit, initiated_by=by
    ).save(force_insert=True)
    credit.claim = claim
    credit.status = BankCredit.Status.ASSIGNED
    credit.match_how = "manual"
    credit.save(update_fields=["claim", "status", "match_how"])
    audit.record(
        actor=by,
        action="payments.credit_assigned",
        target=credit,
        details={"kassenzeichen": claim.kassenzeichen, "amount": credit.amount},
    )
    if claim.status == Claim.Status.PAID:
        claims_paid([claim.pk])
    return credit


HKR_COLUMNS = [
    "Buchungsdatum",
    "Kassenzeichen",
    "Haushaltsstelle",
    "Betrag",
    "Waehrung",
    "Zahlweg",
    "Referenz",
    "Zahlungspflichtiger",
    "Zweck",
]


HKR_EARLIEST = datetime.date(2000, 1, 1)
HKR_LATEST = datetime.date(2100, 12, 31)


def hkr_export(*, start: datetime.date, end: datetime.date) -> str:
    """Booked payments and executed refunds between ``start`` and ``end`` (local dates) as CSV
    for the budget and cash accounting system (format: docs/payments.md)."""
    if end < start:
        raise InvalidInput("Das Ende des Zeitraums liegt vor seinem Beginn.", code="period")
    # 9999-12-31 has no next day, and 0001-01-01 in Berlin has no UTC instant: refuse, never crash.
    if start < HKR_EARLIEST or end > HKR_LATEST:
        raise InvalidInput(
            f"Der Zeitraum muss zwischen dem {HKR_EARLIEST:%d.%m.%Y} und dem {HKR_LATEST:%d.%m.%Y} liegen.",
            code="period",
        )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HKR_COLUMNS)
    tz = timezone.get_current_timezone()
    lower = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    upper = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    payments = (
        Payment.objects.filter(status=Payment.Status.PAYED, paid_at__gte=lower, paid_at__lt=upper)
        .select_related("claim", "bank_credit")
        .order_by("paid_at", "id")
    )
    for p in payments.iterator(chunk_size=2000):
        day = p.bank_credit.booked_on if p.bank_credit else timezone.localdate(p.paid_at)
        writer.writerow(
            [day.isoformat(), p.claim.kassenzeichen, p.claim.budget_account, f"{p.amount:.2f}", p.currency,
             "UEBERWEISUNG" if p.method == Payment.Method.BANK else "ONLINE", p.transaction_id,
             p.claim.debtor_name, p.claim.purpose]
        )  # fmt: skip
    refunds = Refund.objects.filter(
        status=Refund.Status.EXECUTED, decided_at__gte=lower, decided_at__lt=upper
    ).select_related("claim")
    for r in refunds.order_by("decided_at", "id"):
        writer.writerow(
            [timezone.localdate(r.decided_at).isoformat(), r.claim.kassenzeichen, r.claim.budget_account,
             f"{-r.amount:.2f}", "EUR", "ERSTATTUNG", f"refund-{r.pk}", r.claim.debtor_name, r.reason]
        )  # fmt: skip
    return out.getvalue()


def total(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal("0.00"))


def _unbalanced_entries() -> QuerySet[JournalEntry, int]:
    """Entries whose postings do not sum to zero. Not ``total != 0``: SQLite sums decimals as
    floating point numbers, and 10.20 − 7.20 − 3.00 is 4.4e-16 there; amounts are whole cents,
    so an entry that does not balance is off by a cent at least."""
    return (
        JournalEntry.objects.annotate(total=Sum("postings__amount"))
        .exclude(total__gt=-HALF_CENT, total__lt=HALF_CENT)
        .values_list("pk", flat=True)
    )


def verify() -> list[str]:
    """Check the books against the bank and the claims; one German sentence per problem.

    - Every journal entry balances (sums to zero).
    - The money booked into the ledger's bank account equals the euro credits the bank
      reported, and each bank transaction was booked from one file only (a camt.053 batch
      entry and its camt.054 breakdown are one transaction).
    - Each claim's receivable equals its open amount (amount less what was settled).
    ``rathaus payments verify`` runs this and exits 1 on any problem.
    """
    from django.db.models import Count, Q

    problems = [f"Buchung {pk} ist nicht ausgeglichen." for pk in _unbalanced_entries()[:10]]
    into_bank = Posting.objects.filter(account=ledger.BANK, amount__gt=0).aggregate(s=Sum("amount"))["s"]
    received = BankCredit.objects.filter(currency="EUR", amount__gt=0).aggregate(s=Sum("amount"))["s"]
    into_bank, received = into_bank or Decimal("0.00"), received or Decimal("0.00")
    if into_bank != received:
        problems.append(
            f"Bankkonto: {into_bank} EUR eingebucht, laut Kontoauszügen {received} EUR eingegangen "
            f"(Differenz {into_bank - received} EUR)."
        )
    twice = (
        BankCredit.objects.exclude(entry_key="")
        .values("entry_key")
        .annotate(files=Count("statement", distinct=True))
        .filter(files__gt=1)
        .values_list("entry_key", flat=True)
    )
    for entry_key in twice[:10]:
        problems.append(f"Bankbuchung {entry_key.split(':', 1)[-1]} ist aus mehreren Dateien gebucht.")
    receivables = dict(
        Posting.objects.filter(account=ledger.RECEIVABLE, claim__isnull=False)
        .values_list("claim_id")
        .annotate(s=Sum("amount"))
        .values_list("claim_id", "s")
    )
    mismatched = 0
    for claim in (
        Claim.objects.filter(Q(pk__in=receivables.keys()) | ~Q(status=Claim.Status.CANCELLED))
        .only("pk", "kassenzeichen", "amount", "settled_total", "status")
        .iterator(chunk_size=5000)
    ):
        booked = receivables.get(claim.pk) or Decimal("0.00")
        if booked != claim.open_amount:
            mismatched += 1
            if mismatched <= 10:
                problems.append(
                    f"Forderung {claim.display_kassenzeichen}: offen {claim.open_amount} EUR, "
                    f"im Hauptbuch {booked} EUR."
                )
    if mismatched > 10:
        problems.append(f"… und {mismatched - 10} weitere Forderungen, deren Hauptbuch nicht stimmt.")
    return problems
