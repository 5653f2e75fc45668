"""Booking one batch of bank credits: what is known already, matching, and the rows, in bulk.

``camt_import`` calls ``book_batch`` inside the batch's transaction. The reads are one query
per page of 2,000 keys: the bank references known already, the bank entries booked from
another file, and the claims the remittance texts can mean (locked). The rows — bank credits,
journal entries with their postings, payments — are built as tuples and written with
``kernel.bulk.TableWriter`` under primary keys reserved in advance, the claims' new totals with
one UPDATE per page: a batch of 5,000 credits costs about 25 statements on PostgreSQL (some 250
multi-row INSERTs on SQLite, which takes 999 parameters per statement) and no model instance
per written row (the candidate claims are instances, for ``apply_receipt``). The rules are
those of single payments: ``domain.payments.matching`` finds the claim,
``services.apply_receipt`` applies the money, ``domain.payments.ledger`` checks every entry.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone

from rathaus.domain.payments import kassenzeichen as kz
from rathaus.domain.payments import ledger
from rathaus.domain.payments.matching import Match, OpenClaim, match_credit
from rathaus.kernel.bulk import TableWriter, reserve_ids

from . import camt
from .models import BankCredit, BankStatement, Claim, JournalEntry, Payment, Posting
from .services import apply_receipt, claims_paid

PAGE = 2000
STATUS_BY_CHECK = {
    "full": BankCredit.Status.MATCHED,
    "partial": BankCredit.Status.PARTIAL,
    "over": BankCredit.Status.OVER,
    "already_paid": BankCredit.Status.HELD,
}
# What matching needs of a claim and what booking changes on it; nothing else is read.
CLAIM_FIELDS = (
    "id",
    "kassenzeichen",
    "amount",
    "paid_total",
    "settled_total",
    "held_total",
    "refunded_total",
    "status",
    "debtor_name",
    "product",
)
CREDIT_COLUMNS = (
    "id",
    "statement_id",
    "dedup_key",
    "entry_key",
    "amount",
    "currency",
    "booked_on",
    "debtor_name",
    "debtor_iban",
    "remittance",
    "status",
    "claim_id",
    "match_how",
    "note",
)
ENTRY_COLUMNS = ("id", "kind", "claim_id", "memo", "created_at")
POSTING_COLUMNS = ("entry_id", "account", "claim_id", "amount")
PAYMENT_COLUMNS = (
    "claim_id",
    "method",
    "provider",
    "request_id",
    "transaction_id",
    "transaction_url",
    "status",
    "amount",
    "currency",
    "payment_method",
    "created_at",
    "paid_at",
    "initiated_by_id",
    "bank_credit_id",
)


@dataclass
class Tally:
    """What an import has done so far, over all batches and over an interrupted earlier run."""

    matched: int = 0
    unmatched: int = 0
    duplicates: int = 0
    paid: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Booking:
    """One credit to book: its match, and for a matched one the claim and the receipt's postings."""

    credit: camt.Credit
    match: Match
    claim: Claim | None
    postings: list[ledger.Posting] | None


def _pages(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), PAGE):
        yield items[start : start + PAGE]


def book_batch(statement: BankStatement, credits: list[camt.Credit], tally: Tally) -> int:
    """Book ``credits`` of ``statement`` (inside the caller's transaction); returns how many
    bank credit rows were written. Skipped and counted as duplicates: a bank reference booked
    from another file or met before in this file, an entry booked from another file. Counted
    as before and not booked again: credits this statement booked in an interrupted run."""
    fresh = _fresh(statement, credits, tally)
    if not fresh:
        return 0
    candidates = [kz.candidates_in(c.remittance) for c in fresh]
    claims = _claims_locked(_numbers(candidates))
    facts = {number: OpenClaim(c.open_amount, c.debtor_name) for number, c in claims.items()}
    bookings: list[_Booking] = []
    paid: list[int] = []
    for credit, found in zip(fresh, candidates, strict=True):
        match = match_credit(
            remittance=credit.remittance,
            amount=credit.amount,
            currency=credit.currency,
            claims=facts,
            payer_name=credit.debtor_name,
            candidates=found,
        )
        if not match.matched:
            tally.unmatched += 1
            # Foreign currency is not booked in the euro ledger; staff handle it by hand.
            lines = (
                ledger.postings_for_unmatched_credit(amount=credit.amount)
                if credit.currency == "EUR"
                else None
            )
            bookings.append(_Booking(credit, match, None, lines))
            continue
        claim = claims[match.kassenzeichen]
        lines = apply_receipt(claim, credit.amount, via=ledger.BANK)
        facts[claim.kassenzeichen] = OpenClaim(claim.open_amount, claim.debtor_name)
        bookings.append(_Booking(credit, match, claim, lines))
        tally.matched += 1
        if claim.status == Claim.Status.PAID:
            paid.append(claim.id)
    _write(statement, bookings)
    _update_claims({b.claim.id: b.claim for b in bookings if b.claim is not None}.values())
    tally.paid += paid
    with_product = {b.claim.id for b in bookings if b.claim is not None and b.claim.product}
    claims_paid([pk for pk in paid if pk in with_product])
    return len(bookings)


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _rows_in(sql: str, keys: list[str], *params: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` for ``keys``, one query per page: ``{}`` in ``sql`` stands for the
    test of a column against the page (``= ANY(array)`` on PostgreSQL, ``IN (…)`` elsewhere),
    ``params`` for the placeholders before it. Plain SQL: the ORM's ``__in`` lookup prepares
    each of thousands of values one by one."""
    with connection.cursor() as cursor:
        for page in _pages(keys):
            cursor.execute(*_in(sql, page, params))
            yield from cursor.fetchall()


def _in(sql: str, page: list[str], params: tuple[Any, ...]) -> tuple[str, list[Any]]:
    if "{}" not in sql:  # PostgreSQL's per-key form (``_credits_by``): the keys come first
        return sql, [page, *params]
    if connection.vendor == "postgresql":
        return sql.format("= ANY(%s)"), [*params, page]
    return sql.format(f"IN ({', '.join(['%s'] * len(page))})"), [*params, *page]


def _credits_by(column: str, fields: str, *, other_statement: bool = False) -> str:
    """The query of ``_rows_in`` for the bank credits (``fields``, one row per key at most)
    whose ``column`` is one of the keys, and with ``other_statement`` only those of another
    statement than the one given as a parameter after the keys.

    On PostgreSQL one index probe per key, a subquery per key (``LATERAL … LIMIT 1``): as
    ``column = ANY(keys)`` the planner scans the whole table while its statistics still say it
    is small, and an import makes it large within minutes — each batch then read every credit
    the batches before it had written (issue 13, ``EXPLAIN ANALYZE``)."""
    table = _table(BankCredit)
    if connection.vendor == "postgresql":
        other = " AND statement_id <> %s" if other_statement else ""
        return (
            f"SELECT b.* FROM unnest(%s::text[]) AS k(key) CROSS JOIN LATERAL "  # noqa: S608
            f"(SELECT {fields} FROM {table} WHERE {column} = k.key{other} LIMIT 1) AS b"
        )
    other = "statement_id <> %s AND " if other_statement else ""
    return f"SELECT {fields} FROM {table} WHERE {other}{column} {{}}"  # noqa: S608


def _fresh(statement: BankStatement, credits: list[camt.Credit], tally: Tally) -> list[camt.Credit]:
    """The credits still to book; counts the others in ``tally``."""
    known: dict[str, tuple[int, str]] = {}
    sql = _credits_by("dedup_key", "dedup_key, statement_id, status")
    for key, statement_id, status in _rows_in(sql, [c.dedup_key for c in credits]):
        known[key] = (statement_id, status)
    # A camt.053 batch entry and its camt.054 breakdown (or the other way round) are one bank
    # transaction, booked from one file only.
    sql = _credits_by("entry_key", "entry_key", other_statement=True)
    entry_keys = sorted({c.entry_key for c in credits if c.entry_key})
    statement_id = statement.id
    elsewhere = {key for (key,) in _rows_in(sql, entry_keys, statement_id)}
    booked = set(STATUS_BY_CHECK.values())
    fresh = []
    for credit in credits:
        key = credit.dedup_key
        earlier = known.get(key)
        if key in tally.seen or credit.entry_key in elsewhere or (earlier and earlier[0] != statement_id):
            tally.duplicates += 1
            continue
        tally.seen.add(key)
        if earlier:  # booked from this file by an import that was interrupted
            if earlier[1] in booked:
                tally.matched += 1
            else:
                tally.unmatched += 1
        elif credit.amount > 0:  # a zero or negative "credit" is no money received
            fresh.append(credit)
    return fresh


def _numbers(candidates: Iterable[list[kz.Candidate]]) -> set[str]:
    """Every Kassenzeichen the texts can mean: the valid ones, and the repairs of the others."""
    numbers: set[str] = set()
    for found in candidates:
        for candidate in found:
            if candidate.valid:
                numbers.add(candidate.digits)
            else:
                numbers.update(candidate.repairs)
    return numbers


def _claims_locked(numbers: set[str]) -> dict[str, Claim]:
    """The claims with these Kassenzeichen, locked (in one order, so imports never deadlock),
    with only ``CLAIM_FIELDS`` loaded. Values are converted by the database backend's own
    converters, as the ORM converts them (SQLite keeps decimals as numbers)."""
    fields = [f for f in Claim._meta.concrete_fields if f.attname in CLAIM_FIELDS]  # ``from_db``'s order
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {', '.join(f.column for f in fields)} FROM {_table(Claim)} "  # noqa: S608
        f"WHERE kassenzeichen {{}} ORDER BY kassenzeichen{lock}"
    )
    converters = []
    for i, model_field in enumerate(fields):
        column = model_field.get_col(Claim._meta.db_table)
        converters += [(i, convert, column) for convert in connection.ops.get_db_converters(column)]
    names = [f.attname for f in fields]
    claims: dict[str, Claim] = {}
    for row in _rows_in(sql, sorted(numbers)):
        values = list(row)
        for i, convert, column in converters:
            values[i] = convert(values[i], column, connection)
        claim = Claim.from_db(connection.alias, names, values)
        claims[claim.kassenzeichen] = claim
    return claims


def _write(statement: BankStatement, bookings: list[_Booking]) -> None:
    """Insert the bank credits, journal entries, postings and payments of ``bookings``."""
    now = timezone.now()
    credit_ids = reserve_ids(BankCredit, len(bookings))
    entry_ids = iter(reserve_ids(JournalEntry, sum(b.postings is not None for b in bookings)))
    credits, entries, postings, payments = [], [], [], []
    statement_id = statement.id
    request_ids = _request_ids(sum(b.claim is not None for b in bookings))
    for booking, credit_id in zip(bookings, credit_ids, strict=True):
        credit, claim, key = booking.credit, booking.claim, booking.credit.dedup_key
        claim_id = claim.id if claim is not None else None
        status = STATUS_BY_CHECK[booking.match.amount_check] if claim else BankCredit.Status.UNMATCHED
        credits.append(
            (credit_id, statement_id, key, credit.entry_key, credit.amount, credit.currency[:3],
             credit.booked_on, credit.debtor_name, credit.debtor_iban[:34], credit.remittance,
             status, claim_id, booking.match.how, booking.match.note[:300])
        )  # fmt: skip
        if booking.postings is not None:
            entry_id = next(entry_ids)
            if claim is None:
                entry = _entry(entry_id, kind="bank_unmatched", claim_id=None, memo=f"Nicht zugeordnet {key}")
            else:
                entry = _entry(entry_id, kind="bank_payment", claim_id=claim_id, memo=f"Überweisung {key}")
            entries.append((*entry, now))
            # The ledger's builders return only entries that balance (``ledger.check_entry``).
            postings += [(entry_id, p.account, p.claim_id, p.amount) for p in booking.postings]
        if claim is not None:
            payments.append(
                (claim_id, Payment.Method.BANK, "bank", next(request_ids), key[:100], "",
                 Payment.Status.PAYED, credit.amount, "EUR", "", now, now, None, credit_id)
            )  # fmt: skip
    with connection.cursor() as cursor:
        TableWriter(BankCredit, CREDIT_COLUMNS).write(cursor, credits)
        TableWriter(JournalEntry, ENTRY_COLUMNS).write(cursor, entries)
        TableWriter(Posting, POSTING_COLUMNS).write(cursor, postings)
        TableWriter(Payment, PAYMENT_COLUMNS).write(cursor, payments)


def _request_ids(count: int) -> Iterator[str]:
    """``count`` random request ids of 32 hex digits (as ``uuid4().hex`` for a single payment),
    from one read of the system's random source rather than one per payment."""
    raw = os.urandom(16 * count).hex()
    return (raw[start : start + 32] for start in range(0, len(raw), 32))


def _entry(entry_id: int, *, kind: str, claim_id: int | None, memo: str) -> tuple[Any, ...]:
    """A journal entry's row (without its time) in the order of ``ENTRY_COLUMNS``."""
    return (entry_id, kind, claim_id, memo[:300])


def _update_claims(claims: Iterable[Claim]) -> None:
    """The claims' new totals and status in one UPDATE per page, joined to the new values: as
    arrays on PostgreSQL, as a VALUES list elsewhere (``bulk_update`` builds CASE expressions
    that cost more than the update, ``executemany`` runs the statement once per claim)."""
    rows = [(c.id, c.paid_total, c.settled_total, c.held_total, c.status) for c in claims]
    table = _table(Claim)
    set_new = "paid_total = v.paid, settled_total = v.settled, held_total = v.held, status = v.status"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if rows:
                cursor.execute(
                    f"UPDATE {table} AS c SET {set_new} FROM unnest(%s::bigint[], %s::numeric[], "  # noqa: S608
                    "%s::numeric[], %s::numeric[], %s::text[]) AS v(id, paid, settled, held, status) "
                    # the ids once more, so the claims are found by their index, not by a scan
                    "WHERE c.id = v.id AND c.id = ANY(%s::bigint[])",
                    [*(list(column) for column in zip(*rows, strict=True)), [row[0] for row in rows]],
                )
            return
        step = max(1, (connection.features.max_query_params or 999) // 5)
        for start in range(0, len(rows), step):
            page = rows[start : start + step]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(page))
            cursor.execute(
                f"WITH v(id, paid, settled, held, status) AS (VALUES {values}) "  # noqa: S608
                f"UPDATE {table} SET {set_new} FROM v WHERE {table}.id = v.id",
                [value for row in page for value in row],
            )
