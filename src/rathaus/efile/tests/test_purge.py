"""``case_file_purge``: the E-Akte deletes a closed file with everything in it, audited; other
apps (the archive) ask through this service instead of deleting rows themselves."""

import pytest

from rathaus.efile import search_index, services
from rathaus.efile.models import Case, CaseFile, CaseNote, Document, DocumentVersion
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput
from rathaus.kernel.models import SearchDocument

from .factories import make_case, make_office, make_staff, make_text_pdf

pytestmark = pytest.mark.django_db


def _closed_file_with_two_cases(office, clerk) -> CaseFile:
    first = make_case(office, created_by=clerk)
    services.document_add(
        case=first, title="Antrag", content=make_text_pdf("Antrag Heinemann"), filename="antrag.pdf", by=clerk
    )
    services.case_note_add(case=first, text="Rückruf erledigt", by=clerk)
    second = services.case_create(
        office=office, subject="Nachfrage Heinemann", case_file=first.case_file, created_by=clerk
    )
    services.document_add(case=second, title="Brief", content=b"Brief\n", filename="brief.txt", by=clerk)
    for case in (first, second):
        services.case_close(case=case, by=clerk)
    return services.case_file_close(case_file=first.case_file, by=clerk)


def test_purge_deletes_the_file_its_cases_notes_documents_and_search_entries_and_keeps_the_blobs():
    """Every row of the file and its search entries go; the blobs stay (content-addressed, may be
    shared); the audit entry keeps the Aktenzeichen, the reason and what was deleted."""
    # given
    office = make_office()
    clerk = make_staff(office)
    case_file = _closed_file_with_two_cases(office, clerk)
    case_ids = list(case_file.cases.values_list("pk", flat=True))
    document_ids = list(Document.objects.filter(case_id__in=case_ids).values_list("pk", flat=True))
    blob_ids = set(
        DocumentVersion.objects.filter(document_id__in=document_ids).values_list("blob_id", flat=True)
    )
    keys = [(search_index.CASE_KIND, str(pk)) for pk in case_ids] + [
        (search_index.DOCUMENT_KIND, str(pk)) for pk in document_ids
    ]
    assert all(SearchDocument.objects.filter(kind=kind, key=key).exists() for kind, key in keys)

    # when
    purged = services.case_file_purge(case_file=case_file, by=clerk, reason="vom Archiv übernommen")

    # then
    assert (purged.aktenzeichen, purged.cases, purged.documents) == (case_file.aktenzeichen, 2, 2)
    assert not CaseFile.objects.filter(pk=case_file.pk).exists()
    assert not Case.objects.filter(pk__in=case_ids).exists()
    assert not CaseNote.objects.filter(case_id__in=case_ids).exists()
    assert not Document.objects.filter(pk__in=document_ids).exists()
    assert not DocumentVersion.objects.filter(document_id__in=document_ids).exists()
    assert not any(SearchDocument.objects.filter(kind=kind, key=key).exists() for kind, key in keys)
    assert blobs.Blob.objects.filter(pk__in=blob_ids).count() == len(blob_ids)
    entry = audit.entries_for_target("efile.casefile", case_file.pk).get(action="efile.file_purged")
    assert entry.details["aktenzeichen"] == case_file.aktenzeichen
    assert entry.details["reason"] == "vom Archiv übernommen"
    assert sorted(entry.details["blobs"]) == sorted(purged.blobs) and len(purged.blobs) == 2
    assert audit.verify().ok


def test_an_open_file_is_not_purged():
    """Only closed files (z. d. A.) are deleted; an open one stays with all its cases."""
    office = make_office()
    case = make_case(office)
    with pytest.raises(Conflict, match="nicht geschlossen") as refused:
        services.case_file_purge(case_file=case.case_file, by=None, reason="Aussonderung")
    assert refused.value.code == "file_open"
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_purge_needs_a_reason():
    office = make_office()
    clerk = make_staff(office)
    case_file = _closed_file_with_two_cases(office, clerk)
    with pytest.raises(InvalidInput, match="warum"):
        services.case_file_purge(case_file=case_file, by=clerk, reason="  ")
    assert CaseFile.objects.filter(pk=case_file.pk).exists()


def test_a_file_another_app_still_refers_to_is_not_purged():
    """An e-invoice filed in one of the file's cases protects it: ``Conflict`` "file_in_use",
    nothing deleted, nothing logged."""
    # given
    office = make_office()
    clerk = make_staff(office)
    case_file = _closed_file_with_two_cases(office, clerk)
    case = case_file.cases.order_by("pk").first()
    version = DocumentVersion.objects.filter(document__case=case).select_related("blob").first()
    InboundInvoice.objects.create(channel=InboundInvoice.Channel.UPLOAD, blob=version.blob, case=case)

    # when
    with pytest.raises(Conflict, match="an anderer Stelle verwendet") as refused:
        services.case_file_purge(case_file=case_file, by=clerk, reason="Aussonderung")

    # then
    assert refused.value.code == "file_in_use"
    assert CaseFile.objects.filter(pk=case_file.pk).exists()
    assert Document.objects.filter(case__case_file=case_file).count() == 2
    assert (
        not audit.entries_for_target("efile.casefile", case_file.pk)
        .filter(action="efile.file_purged")
        .exists()
    )
