"""Importing a camt statement: refuse what must not be booked, then book its credits in batches.

Refused as a whole, before anything is booked: a file imported completely before (same
SHA-256), a statement for another account than the cash office's, a file that is no camt.053
or camt.054. Then the credits are booked in batches (``RATHAUS_PAYMENTS_CAMT_BATCH``, default
5,000), each in one short transaction with its audit entry (``camt_booking.book_batch``), so
the claims a batch locks are free again within seconds, and the cash office's other work
goes on during a long import. A killed import leaves whole batches behind: importing the same
file again continues it — the credits booked already are recognised by their bank reference,
counted as before and not booked twice — and the file is complete (``completed_at``) only
after its last batch. Imports take turns batch by batch (SQLite: the write lock; PostgreSQL:
an advisory lock), so two imports never book one bank entry twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.kernel import audit
from rathaus.kernel.bulk import collection_paused
from rathaus.kernel.exceptions import Conflict, InvalidInput

from . import camt, conf
from .camt_booking import Tally, book_batch
from .models import BankStatement

# Arbitrary but fixed 64-bit key for pg_advisory_xact_lock ("RATHCAMT").
_ADVISORY_LOCK_KEY = 0x52415448_43414D54


@dataclass(frozen=True)
class ImportResult:
    statement: BankStatement
    credits: int
    matched: int
    unmatched: int
    duplicates: int
    paid_claim_ids: list[int]
    # True when this call continued an import of the same file that had been interrupted.
    resumed: bool = False


def import_camt(
    *,
    data: bytes,
    filename: str,
    by: User | str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one camt.053/camt.054 file, or continue its interrupted import; see the module
    docstring. ``progress(done, total)`` is called after each batch has committed."""
    digest = hashlib.sha256(data).hexdigest()
    _refuse_if_complete(BankStatement.objects.filter(sha256=digest).first(), filename)
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
    row, resumed = _statement_row(statements, digest=digest, filename=filename, iban=own, by=by)
    tally = Tally()
    size = conf.camt_batch_size()
    for start in range(0, len(credits), size):
        chunk = credits[start : start + size]
        with transaction.atomic(), collection_paused():
            _take_turn()
            before = (tally.matched, tally.unmatched, tally.duplicates)
            if book_batch(row, chunk, tally):
                audit.record(
                    actor=by,
                    action="payments.camt_batch_booked",
                    target=row,
                    details={
                        "file": filename,
                        "credits": f"{start + 1}–{start + len(chunk)}",
                        "matched": tally.matched - before[0],
                        "unmatched": tally.unmatched - before[1],
                        "duplicates": tally.duplicates - before[2],
                    },
                )
        if progress:
            progress(start + len(chunk), len(credits))
    result = ImportResult(
        row, len(credits), tally.matched, tally.unmatched, tally.duplicates, tally.paid, resumed
    )
    _complete(result, digest=digest, filename=filename, by=by)
    return result


def _refuse_if_complete(row: BankStatement | None, filename: str) -> None:
    if row is not None and row.completed_at is not None:
        raise Conflict(
            f"Die Datei „{filename}“ wurde bereits eingelesen; nichts wurde doppelt gebucht.",
            code="camt_duplicate",
        )


def _statement_row(
    statements: list[camt.Statement], *, digest: str, filename: str, iban: str, by: User | str | None
) -> tuple[BankStatement, bool]:
    """The file's statement row: new, or the one of an interrupted import (then ``True``)."""
    for _attempt in range(2):
        row = BankStatement.objects.filter(sha256=digest).first()
        if row is not None:
            _refuse_if_complete(row, filename)
            return row, True
        try:
            with transaction.atomic():
                return BankStatement.objects.create(
                    kind=statements[0].kind,
                    account_iban=iban,
                    message_id=statements[0].message_id[:100],
                    statement_id=",".join(s.statement_id for s in statements)[:100],
                    sha256=digest,
                    filename=filename[:255],
                    imported_by=by if isinstance(by, User) else None,
                ), False
        except IntegrityError:
            continue  # the same file was started at this moment by someone else: continue it
    raise Conflict(f"Die Datei „{filename}“ wird gerade eingelesen.", code="camt_running")


def _take_turn() -> None:
    """Serialise batch transactions of all imports until the current transaction ends (SQLite's
    ``BEGIN IMMEDIATE`` write lock already does)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def _complete(result: ImportResult, *, digest: str, filename: str, by: User | str | None) -> None:
    """Mark the statement complete with its counts and audit the import (once, if two ran)."""
    with transaction.atomic():
        _take_turn()
        row = BankStatement.objects.select_for_update().get(pk=result.statement.pk)
        if row.completed_at is not None:
            return
        row.credits, row.matched, row.duplicates = result.credits, result.matched, result.duplicates
        row.completed_at = timezone.now()
        row.save(update_fields=["credits", "matched", "duplicates", "completed_at"])
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
                "resumed": result.resumed,
            },
        )
    result.statement.completed_at = row.completed_at
