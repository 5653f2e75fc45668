"""Short audited transactions (issue 12): deletion in batches, each its own transaction with its
audit entries; packages and documents checked and stored before any transaction, so the
city-wide audit lock is never held while files are read, checked or written."""

import pytest
from django.db import connection

from rathaus.efile import services as efile_services
from rathaus.efile.archive import services
from rathaus.efile.archive.models import Disposal, ImportedFile
from rathaus.efile.models import CaseFile
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict

from .conftest import build_world, closed_file


def _five_files_declined(world) -> tuple[Disposal, list]:
    """Three more closed files beside the world's two; the archive declines all five."""
    entry = world.drop.file_plan_entry
    for name in ("Albers", "Brandt", "Carstens"):
        case = closed_file(
            world.office,
            entry,
            world.clerk,
            subject=f"Anmeldung {name}",
            documents=[("Meldeschein", f"{name}\n".encode(), "melde.txt")],
        )
        efile_services.case_file_close(case_file=case.case_file, by=world.clerk)
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "V" for i in disposal.items.all()}, by=world.archivist
    )
    items = list(disposal.items.order_by("pk"))
    assert len(items) == 5
    return disposal, items


def _file_entries(file_id: int) -> list[str]:
    return list(audit.entries_for_target("efile.casefile", file_id).values_list("action", flat=True))


@pytest.mark.django_db
def test_deleting_more_files_than_one_batch_deletes_all_and_logs_each(world):
    """Five files in batches of two: all deleted; per file the E-Akte's purge entry and the
    archive's deletion entry (in that order), one entry for the whole deletion, the chain intact."""
    # given
    disposal, items = _five_files_declined(world)
    file_ids = [item.case_file_id for item in items]

    # when
    deleted = services.disposal_delete(disposal=disposal, by=world.clerk, batch_size=2)

    # then
    assert deleted == 5
    assert not CaseFile.objects.filter(pk__in=file_ids).exists()
    for item, file_id in zip(items, file_ids, strict=True):
        assert _file_entries(file_id)[-2:] == ["efile.file_purged", "efile_archive.file_deleted"]
        entry = audit.entries_for_target("efile.casefile", file_id).get(action="efile_archive.file_deleted")
        assert entry.details["aktenzeichen"] == item.aktenzeichen
        assert entry.details["reason"] == "vom Archiv als nicht archivwürdig bewertet"
        assert entry.details["process_id"] == str(disposal.process_id)
    summary = audit.entries_for_target("efile_archive.disposal", disposal.pk).filter(
        action="efile_archive.deleted"
    )
    assert [e.details for e in summary] == [{"files": 5}]
    disposal.refresh_from_db()
    assert disposal.state == Disposal.State.COMPLETED
    assert all(item.deleted_at is not None for item in disposal.items.all())
    assert audit.verify().ok


@pytest.mark.django_db
def test_a_file_in_use_rolls_back_its_batch_only_and_deleting_again_finishes(world):
    """Batches of two; the fourth file is still referred to by an e-invoice: the first batch stays
    deleted and logged, the second (third and fourth file) is rolled back, the fifth untouched;
    once the invoice lets go, deleting again deletes the remaining three and completes."""
    # given
    disposal, items = _five_files_declined(world)
    file_ids = [item.case_file_id for item in items]
    blocked_case = CaseFile.objects.get(pk=file_ids[3]).cases.get()
    invoice = InboundInvoice.objects.create(
        channel=InboundInvoice.Channel.UPLOAD,
        blob=blobs.Blob.objects.first(),
        case=blocked_case,
    )

    # when
    with pytest.raises(Conflict, match="an anderer Stelle verwendet") as refused:
        services.disposal_delete(disposal=disposal, by=world.clerk, batch_size=2)

    # then
    assert refused.value.code == "file_in_use"
    assert list(
        CaseFile.objects.filter(pk__in=file_ids).values_list("pk", flat=True).order_by("pk")
    ) == sorted(file_ids[2:])
    for file_id in file_ids[:2]:
        assert "efile_archive.file_deleted" in _file_entries(file_id)
    for file_id in file_ids[2:]:
        assert "efile_archive.file_deleted" not in _file_entries(file_id)
        assert "efile.file_purged" not in _file_entries(file_id)
    assert Disposal.objects.get(pk=disposal.pk).state == Disposal.State.EVALUATED

    # when the invoice no longer refers to the case
    InboundInvoice.objects.filter(pk=invoice.pk).update(case=None)
    assert services.disposal_delete(disposal=disposal, by=world.clerk, batch_size=2) == 3

    # then
    assert not CaseFile.objects.filter(pk__in=file_ids).exists()
    assert Disposal.objects.get(pk=disposal.pk).state == Disposal.State.COMPLETED
    assert audit.verify().ok


@pytest.fixture
def committed_world(transactional_db):
    """The world with real commits: no test transaction around the services."""
    return build_world()


def _recording_progress(seen: list[bool]):
    def progress(_count: int) -> None:
        seen.append(connection.in_atomic_block)

    return progress


def test_offer_transfer_and_import_do_their_slow_work_outside_any_transaction(committed_world):
    """The progress callbacks of offer (files read), transfer (blobs re-hashed into the ZIP) and
    package import (documents checked and stored) run while no transaction is open, so neither
    the database's write lock (SQLite) nor the audit lock (PostgreSQL) is held meanwhile."""
    world = committed_world
    offer_seen: list[bool] = []
    disposal = services.disposal_offer(
        office=world.office,
        archive=world.archive,
        today=world.today,
        by=world.clerk,
        progress=_recording_progress(offer_seen),
    )
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "A" for i in disposal.items.all()}, by=world.archivist
    )
    transfer_seen: list[bool] = []
    disposal = services.disposal_transfer(
        disposal=disposal, by=world.clerk, progress=_recording_progress(transfer_seen)
    )
    import_seen: list[bool] = []
    imported = services.package_import(
        data=blobs.read_bytes(disposal.transfer_package),
        office=world.other,
        by=world.other_clerk,
        progress=_recording_progress(import_seen),
    )

    assert offer_seen == [False, False]  # two files
    assert transfer_seen == [False] * 5  # five versions
    assert import_seen == [False] * 5
    assert ImportedFile.objects.filter(package=imported).count() == 2
    assert audit.verify().ok
