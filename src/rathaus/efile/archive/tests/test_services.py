"""Aussonderung end to end: offer (0501) → evaluation (0502) → transfer package (0503) →
receipt (0506) → deletion, and the package's import into another office."""

import hashlib
import io
import zipfile

import pytest

from rathaus.efile.archive import services
from rathaus.efile.archive.models import Disposal, ImportedFile
from rathaus.efile.models import Case, CaseFile, Document, DocumentVersion
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .conftest import assert_valid

pytestmark = pytest.mark.django_db


def _snapshot(case_file: CaseFile) -> list:
    """Cases, documents, versions and hashes of a file, independent of ids and Aktenzeichen."""
    return [
        (
            case.subject,
            case.status,
            [
                (
                    doc.title,
                    doc.direction,
                    [(v.number, v.filename, v.blob.sha256) for v in doc.versions.order_by("number")],
                )
                for doc in case.documents.order_by("title")
            ],
            sorted(note.text.split("\n")[0] for note in case.notes.all()),
        )
        for case in case_file.cases.order_by("subject")
    ]


def test_round_trip_offer_evaluate_transfer_import_gives_the_same_files(world):
    """The archive-worthy file, taken over into another office, has the same cases, documents,
    versions and hashes; every message validates against the xdomea 3.1.0 schema."""
    before = _snapshot(world.keep)
    disposal = services.disposal_offer(
        office=world.office, archive=world.archive, today=world.today, by=world.clerk
    )
    offer = blobs.read_bytes(disposal.offer_message)
    assert_valid(offer)
    assert world.keep.aktenzeichen.encode() in offer and b"Primaerdokument" not in offer
    assert {i.aktenzeichen: i.proposal for i in disposal.items.all()} == {
        world.keep.aktenzeichen: "A",
        world.drop.aktenzeichen: "V",
    }

    items = {i.aktenzeichen: i for i in disposal.items.all()}
    decisions = {items[world.keep.aktenzeichen].pk: "A", items[world.drop.aktenzeichen].pk: "V"}
    disposal = services.disposal_evaluate(disposal=disposal, decisions=decisions, by=world.archivist)
    assert_valid(blobs.read_bytes(disposal.evaluation_message))

    disposal = services.disposal_transfer(disposal=disposal, by=world.clerk)
    data = blobs.read_bytes(disposal.transfer_package)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        message = archive.read(names[0])
        assert names[0] == f"{disposal.process_id}_Aussonderung.Aussonderung.0503.xml"
        assert_valid(message)
        hashes = {hashlib.sha256(archive.read(n)).hexdigest() for n in names[1:]}
    expected = set(
        DocumentVersion.objects.filter(document__case__case_file=world.keep).values_list(
            "blob__sha256", flat=True
        )
    )
    assert hashes == expected and len(names) == 1 + 4
    assert world.drop.aktenzeichen.encode() not in message

    imported = services.package_import(data=data, office=world.other, by=world.other_clerk)
    copy = ImportedFile.objects.get(package=imported).case_file
    assert copy.office == world.other and copy.is_closed
    assert copy.aktenzeichen != world.keep.aktenzeichen
    assert _snapshot(copy) == before


def test_receipt_then_delete_removes_declined_and_transferred_files_and_logs_it(world):
    """After the archive's confirmation both files are deleted (rows only), each with an audit entry."""
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    items = {i.aktenzeichen: i.pk for i in disposal.items.all()}
    disposal = services.disposal_evaluate(
        disposal=disposal,
        decisions={items[world.keep.aktenzeichen]: "A", items[world.drop.aktenzeichen]: "V"},
        by=world.archivist,
    )
    disposal = services.disposal_transfer(disposal=disposal, by=world.clerk)
    blob_ids = list(
        DocumentVersion.objects.filter(document__case__case_file=world.keep).values_list("blob_id", flat=True)
    )

    disposal = services.disposal_receipt_confirm(disposal=disposal, by=world.archivist)
    assert disposal.state == Disposal.State.RECEIVED
    assert_valid(blobs.read_bytes(disposal.receipt_message))

    assert services.disposal_delete(disposal=disposal, by=world.clerk) == 2
    disposal.refresh_from_db()
    assert disposal.state == Disposal.State.COMPLETED
    assert not CaseFile.objects.filter(pk__in=[world.keep.pk, world.drop.pk]).exists()
    assert not Case.objects.filter(case_file_id__in=[world.keep.pk, world.drop.pk]).exists()
    assert not Document.objects.filter(case__case_file_id__in=[world.keep.pk, world.drop.pk]).exists()
    assert blobs.Blob.objects.filter(pk__in=blob_ids).count() == len(set(blob_ids))  # blobs stay
    deleted = audit.entries_for_target("efile.casefile", world.keep.pk).filter(
        action="efile_archive.file_deleted"
    )
    assert deleted.count() == 1 and "übernommen" in deleted.get().details["reason"]
    assert audit.verify().ok


def test_declined_files_can_be_deleted_before_any_transfer(world):
    """When the archive declines everything, there is no package; deletion completes the process."""
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "V" for i in disposal.items.all()}, by=world.archivist
    )
    with pytest.raises(InvalidInput, match="nichts zu übergeben"):
        services.disposal_transfer(disposal=disposal, by=world.clerk)
    assert services.disposal_delete(disposal=disposal, by=world.clerk) == 2
    assert Disposal.objects.get(pk=disposal.pk).state == Disposal.State.COMPLETED


def test_nothing_is_deleted_before_the_archive_answers(world):
    """A file only offered stays; deletion before the evaluation is refused."""
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    with pytest.raises(Conflict):
        services.disposal_delete(disposal=disposal, by=world.clerk)
    assert CaseFile.objects.filter(pk=world.keep.pk).exists()


def test_files_not_due_or_already_offered_are_not_offered(world):
    """Before the retention ends nothing is due; a second offer finds the files already offered."""
    with pytest.raises(InvalidInput, match="keine Akte"):
        services.disposal_offer(
            office=world.office, archive=world.archive, today=world.today.replace(year=world.today.year - 1)
        )
    services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    with pytest.raises(InvalidInput, match="keine Akte"):
        services.disposal_offer(office=world.office, archive=world.archive, today=world.today)


def test_evaluation_for_another_process_or_incomplete_is_refused(world):
    """A 0502 of another process, or one that leaves a file out, changes nothing."""
    first = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    item = first.items.first()
    with pytest.raises(InvalidInput, match="Bitte bewerten"):
        services.disposal_evaluate(disposal=first, decisions={item.pk: "A"}, by=world.archivist)
    answer = blobs.read_bytes(first.offer_message)  # an offer is no evaluation
    with pytest.raises(InvalidInput, match="Bewertungsverzeichnis"):
        services.disposal_evaluation_import(disposal=first, xml=answer, by=world.archivist)
    assert Disposal.objects.get(pk=first.pk).state == Disposal.State.OFFERED


def test_transfer_refuses_a_changed_blob(world, settings):
    """A stored document whose bytes no longer match its SHA-256 stops the transfer."""
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    disposal = services.disposal_evaluate(
        disposal=disposal, decisions={i.pk: "A" for i in disposal.items.all()}, by=world.archivist
    )
    version = (
        DocumentVersion.objects.filter(document__case__case_file=world.keep).select_related("blob").first()
    )
    from django.core.files.storage import storages

    path = storages[settings.BLOB_STORAGE_ALIAS].path(version.blob.path)
    with open(path, "rb") as handle:
        original = handle.read()
    try:
        with open(path, "ab") as handle:
            handle.write(b"tampered")
        with pytest.raises(blobs.BlobCorrupted):
            services.disposal_transfer(disposal=disposal, by=world.clerk)
    finally:  # blobs outlive the test's transaction; later tests share these bytes
        with open(path, "wb") as handle:
            handle.write(original)
    assert Disposal.objects.get(pk=disposal.pk).transfer_package is None
