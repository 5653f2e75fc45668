"""Bank reconciliation: import camt statements, match credits to claims, book them.

Everything of one file happens in one transaction: a file is imported completely or not
at all. A file is refused when it was imported before (same SHA-256) or is for another
account than the cash office's; a credit already booked from another file (a camt.054
notification followed by the camt.053 statement) is skipped by its bank reference. Work is
done in batches with bulk inserts, so 100,000 credits take seconds, not hours; the rules
are the same as for single payments (``services.apply_receipt``, ``domain.payments``).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.payments import kassenzeichen as kz
from rathaus.domain.payments import ledger
from rathaus.domain.payments.matching import OpenClaim, match_credit
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from . import camt, conf
from .models import BankCredit, BankStatement, Claim, JournalEntry, Payment, Posting, Refund
from .services import _status_of, apply_receipt, book, claims_paid

BATCH = 5000
CLAIM_FIELDS = ["paid_total", "settled_total", "held_total", "status"]
STATUS_BY_CHECK = {
    "full": BankCredit.Status.MATCHED,
    "partial": BankCredit.Status.PARTIAL,
    "over": BankCredit.Status.OVER,
    "already_paid": BankCredit.Status.HELD,
}


@dataclass(frozen=True)
class ImportResult:
    statement: BankStatement
    credits: int
    matched: int
    unmatched: int
    duplicates: int
    paid_claim_ids: list[int]


def _candidate_numbers(remittances: Iterable[str]) -> set[str]:
    numbers: set[str] = set()
    for text in remittances:
        for candidate in kz.candidates_in(text):
            if candidate.valid:
                numbers.add(candidate.digits)
            else:
                numbers.update(kz.corrections(candidate.digits))
    return numbers


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def import_camt(
    *,
    data: bytes,
    filename: str,
    by: User | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one camt.053/camt.054 file; see the module docstring for what is refused."""
    digest = hashlib.sha256(data).hexdigest()
    if BankStatement.objects.filter(sha256=digest).exists():
        raise Conflict(
            f"Die Datei „{filename}“ wurde bereits eingelesen; nichts wurde doppelt gebucht.",
            code="camt_duplicate",
        )
    statements = camt.parse(data)
    own = conf.payee_iban().replace(" ", "").upper()
    for statement in statements:
        if statement.account_iban != own:
            raise InvalidInput(
                f"Der Auszug ist für das Konto {statement.account_iban or '(ohne IBAN)'}, "
                "nicht für das Konto der Kasse.",
                code="camt_wrong_account",
            )
    credits = [c for s in statements for c in s.credits]
    with transaction.atomic():
        row = BankStatement.objects.create(
            kind=statements[0].kind,
            account_iban=own,
            message_id=statements[0].message_id[:100],
            statement_id=",".join(s.statement_id for s in statements)[:100],
            sha256=digest,
            filename=filename[:255],
            imported_by=by if isinstance(by, User) else None,
        )
        result = _book_credits(row, credits, progress)
        row.credits, row.matched, row.duplicates = result.credits, result.matched, result.duplicates
        row.save(update_fields=["credits", "matched", "duplicates"])
        audit.record(
            actor=by,
            action="payments.camt_imported",
            target=row,
            details={
                "file": filename,
                "sha256": digest,
                "credits": result.credits,
                "matched": result.matched,
                "unmatched": result.unmatched,
                "duplicates": result.duplicates,
            },
        )
        claims_paid(result.paid_claim_ids)
    return result


@dataclass
class _Tally:
    """What an import has done so far, over all batches."""

    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0
    paid: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


@dataclass
class _Batch:
    """One batch of credits: what is known before booking, and the rows it will write."""

    known: set[str]
    booked_entries: set[str]
    claims: dict[str, Claim]
    facts: dict[str, OpenClaim]
    changed: dict[int, Claim] = field(default_factory=dict)
    rows: list[BankCredit] = field(default_factory=list)
    entries: list[tuple[JournalEntry, list[ledger.Posting]]] = field(default_factory=list)
    payments: list[tuple[int, Payment]] = field(default_factory=list)


def _batch(row: BankStatement, credits: list[camt.Credit]) -> _Batch:
    """Read what booking ``credits`` needs: their known keys, and their claims, locked."""
    keys = [c.dedup_key for c in credits]
    known = set(BankCredit.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    # Entries already booked from another file: a camt.053 batch entry and its camt.054
    # breakdown (or the other way round) are one bank transaction, booked once.
    entry_keys = {c.entry_key for c in credits if c.entry_key}
    booked_entries = set(
        BankCredit.objects.filter(entry_key__in=entry_keys)
        .exclude(statement=row)
        .values_list("entry_key", flat=True)
    )
    numbers = list(_candidate_numbers(c.remittance for c in credits))
    claims: dict[str, Claim] = {}
    for chunk in _chunks(numbers, 2000):
        for claim in Claim.objects.select_for_update().filter(kassenzeichen__in=chunk):
            claims[claim.kassenzeichen] = claim
    facts = {k: OpenClaim(c.open_amount, c.debtor_name) for k, c in claims.items()}
    return _Batch(known, booked_entries, claims, facts)


def _book_credits(
    row: BankStatement, credits: list[camt.Credit], progress: Callable[[int, int], None] | None
) -> ImportResult:
    total = len(credits)
    tally = _Tally()
    for chunk in _chunks(credits, BATCH):
        batch = _batch(row, chunk)
        for credit in chunk:
            _book_credit(row, credit, batch, tally)
        _write(batch)
        if progress:
            progress(min(total, len(tally.seen) + tally.duplicates), total)
    return ImportResult(row, total, tally.matched, tally.unmatched, tally.duplicates, tally.paid)


def _book_credit(row: BankStatement, credit: camt.Credit, batch: _Batch, tally: _Tally) -> None:
    """Match one credit and add its rows to ``batch`` (a duplicate or a non-credit adds none)."""
    if (
        credit.dedup_key in batch.known
        or credit.dedup_key in tally.seen
        or credit.entry_key in batch.booked_entries
    ):
        tally.duplicates += 1
        return
    tally.seen.add(credit.dedup_key)
    if credit.amount <= 0:
        return  # a zero or negative "credit" is no money received; nothing to book
    outcome = match_credit(
        remittance=credit.remittance,
        amount=credit.amount,
        currency=credit.currency,
        claims=batch.facts,
        payer_name=credit.debtor_name,
    )
    bank_row = BankCredit(
        statement=row,
        dedup_key=credit.dedup_key,
        entry_key=credit.entry_key,
        amount=credit.amount,
        currency=credit.currency[:3],
        booked_on=credit.booked_on,
        debtor_name=credit.debtor_name,
        debtor_iban=credit.debtor_iban[:34],
        remittance=credit.remittance,
        match_how=outcome.how,
        note=outcome.note[:300],
    )
    if outcome.matched:
        _book_matched(credit, batch.claims[outcome.kassenzeichen], bank_row, batch, tally)
        bank_row.status = STATUS_BY_CHECK[outcome.amount_check]
    else:
        bank_row.status = BankCredit.Status.UNMATCHED
        tally.unmatched += 1
        # Foreign currency is not booked in the euro ledger; staff handle it by hand.
        if credit.currency == "EUR":
            entry = JournalEntry(kind="bank_unmatched", memo=f"Nicht zugeordnet {credit.dedup_key}"[:300])
            batch.entries.append((entry, ledger.postings_for_unmatched_credit(amount=credit.amount)))
    batch.rows.append(bank_row)


def _book_matched(
    credit: camt.Credit, claim: Claim, bank_row: BankCredit, batch: _Batch, tally: _Tally
) -> None:
    """Apply a matched credit to its claim: the receipt, its journal entry and its payment."""
    postings = apply_receipt(claim, credit.amount, via=ledger.BANK)
    batch.facts[claim.kassenzeichen] = OpenClaim(claim.open_amount, claim.debtor_name)
    batch.changed[claim.pk] = claim
    bank_row.claim = claim
    entry = JournalEntry(kind="bank_payment", claim=claim, memo=f"Überweisung {credit.dedup_key}"[:300])
    batch.entries.append((entry, postings))
    payment = _bank_payment(claim=claim, dedup_key=credit.dedup_key, amount=credit.amount)
    batch.payments.append((len(batch.rows), payment))
    tally.matched += 1
    if claim.status == Claim.Status.PAID:
        tally.paid.append(claim.pk)


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


def _write(batch: _Batch) -> None:
    """Insert a batch's bank credits, payments, journal entries and postings; update its claims."""
    BankCredit.objects.bulk_create(batch.rows, batch_size=1000)
    for index, payment in batch.payments:
        payment.bank_credit = batch.rows[index]
    Payment.objects.bulk_create([p for _, p in batch.payments], batch_size=1000)
    JournalEntry.objects.bulk_create([e for e, _ in batch.entries], batch_size=1000)
    Posting.objects.bulk_create(
        (
            Posting(entry=e, account=p.account, claim_id=p.claim_id, amount=p.amount)
            for e, lines in batch.entries
            for p in ledger.check_entry(lines)
        ),
        batch_size=2000,
    )
    _update_claims(list(batch.changed.values()))


def _update_claims(claims: list[Claim]) -> None:
    """One parameterised UPDATE per claim, sent with ``executemany`` (``bulk_update`` builds
    CASE expressions that cost more to compile than the update itself)."""
    if not claims:
        return
    ops = connection.ops
    table = connection.ops.quote_name(Claim._meta.db_table)

    def money(value: Decimal) -> Any:
        return ops.adapt_decimalfield_value(value, 12, 2)

    sql = (
        f"UPDATE {table} SET paid_total = %s, settled_total = %s, held_total = %s, status = %s WHERE id = %s"  # noqa: S608
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (money(c.paid_total), money(c.settled_total), money(c.held_total), c.status, c.pk)
                for c in claims
            ],
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


def verify() -> list[str]:
    """Check the books against the bank and the claims; one German sentence per problem.

    - Every journal entry balances (sums to zero).
    - The money booked into the ledger's bank account equals the euro credits the bank
      reported, and each bank transaction was booked from one file only (a camt.053 batch
      entry and its camt.054 breakdown are one transaction).
    - Each claim's receivable equals its open amount (amount less what was settled).
    ``rathaus payments verify`` runs this and exits 1 on any problem.
    """
    from django.db.models import Count, Q, Sum

    problems: list[str] = []
    unbalanced = (
        JournalEntry.objects.annotate(total=Sum("postings__amount"))
        .exclude(total=0)
        .values_list("pk", flat=True)
    )
    for pk in unbalanced[:10]:
        problems.append(f"Buchung {pk} ist nicht ausgeglichen.")
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
