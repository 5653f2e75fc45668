"""Deletion after Aussonderung: what the archive declined (V) and what it confirmed taking over.

Files are deleted in batches, each batch one short transaction with the audit entries of its
files, so the city-wide audit lock (``rathaus.kernel.audit``) is never held across the whole
process. A batch that fails (a file still in use elsewhere) is rolled back; the batches before
it stay deleted and logged, and deleting again continues with the files that are left.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.efile import services as efile_services
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict

from ..models import Disposal, DisposalItem
from ._common import fresh, locked

# Files per transaction: small enough that other offices' audited writes wait at most a few
# seconds, large enough that a process of thousands of files needs few transactions.
DELETE_BATCH = 20


def _refuse_before_evaluation(disposal: Disposal) -> None:
    if disposal.state == Disposal.State.OFFERED:
        raise Conflict("Vor der Bewertung durch das Archiv wird nichts gelöscht.", code="disposal_state")


def _deletable(disposal: Disposal) -> QuerySet[DisposalItem]:
    return (
        disposal.items.filter(deleted_at__isnull=True)
        .filter(
            Q(decision=DisposalItem.Decision.DESTROY)
            | Q(decision=DisposalItem.Decision.ARCHIVE, received=True)
        )
        .order_by("pk")
    )


def _reason(item: DisposalItem) -> str:
    if item.decision == DisposalItem.Decision.DESTROY:
        return "vom Archiv als nicht archivwürdig bewertet"
    return f"vom Archiv übernommen ({item.archive_reference})"


@transaction.atomic
def _delete_batch(*, disposal: Disposal, by: User | None, size: int) -> int:
    """Delete up to ``size`` of the files left, each with its audit entry; returns how many."""
    disposal = locked(disposal)
    _refuse_before_evaluation(disposal)
    now = timezone.now()
    batch = list(_deletable(disposal).select_related("case_file")[:size])
    for item in batch:
        if item.case_file is not None:
            file_id = item.case_file.pk
            purged = efile_services.case_file_purge(case_file=item.case_file, by=by, reason=_reason(item))
            audit.record(
                actor=by,
                action="efile_archive.file_deleted",
                target=("efile.casefile", file_id),
                details={
                    "aktenzeichen": purged.aktenzeichen,
                    "process_id": str(disposal.process_id),
                    "reason": _reason(item),
                    "cases": purged.cases,
                    "documents": purged.documents,
                    "blobs": list(purged.blobs),
                },
            )
        item.case_file = None
        item.deleted_at = now
        item.save(update_fields=["case_file", "deleted_at"])
    return len(batch)


@transaction.atomic
def _finish(*, disposal: Disposal, by: User | None, count: int) -> None:
    """Complete the process once every item is deleted, and log the deletion as a whole."""
    disposal = locked(disposal)
    if (
        disposal.state != Disposal.State.COMPLETED
        and not disposal.items.filter(deleted_at__isnull=True).exists()
    ):
        disposal.state = Disposal.State.COMPLETED
        disposal.completed_at = timezone.now()
        disposal.save(update_fields=["state", "completed_at"])
    audit.record(actor=by, action="efile_archive.deleted", target=disposal, details={"files": count})


def disposal_delete(*, disposal: Disposal, by: User | None = None, batch_size: int = DELETE_BATCH) -> int:
    """Delete the files the archive declined (V) and those whose take-over it confirmed; returns how many.

    In batches of ``batch_size`` files, each its own transaction (see the module docstring).
    Each file goes through ``efile.services.case_file_purge``; its blobs stay, because they
    are content-addressed and may be shared with other documents.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    _refuse_before_evaluation(fresh(disposal))
    count = 0
    while deleted := _delete_batch(disposal=disposal, by=by, size=batch_size):
        count += deleted
        if deleted < batch_size:
            break
    _finish(disposal=disposal, by=by, count=count)
    return count
