"""Scan intake and OCR: real Tesseract (German) on small generated images."""

import io

import pytest
from pypdf import PdfReader

from rathaus.efile import selectors, services
from rathaus.efile.models import Document
from rathaus.efile.scan_samples import render_letter
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput
from rathaus.kernel.tasks import TaskRun

from .factories import make_case, make_office, make_plan_entry, make_staff, make_text_pdf

pytestmark = pytest.mark.django_db

LETTER = ["Freie Hansestadt Bremen", "Antrag auf Verlaengerung der Aufenthaltserlaubnis", "Kundennummer 4711"]


def test_uploaded_letter_image_is_found_by_a_word_of_its_text_in_its_case(django_capture_on_commit_callbacks):
    """The done-when of issue 3: a scanned letter (PNG) is OCRed in the background task; the
    original stays version 1, a searchable PDF/A becomes version 2, and searching a word that
    only occurs in the image's text finds the document, linked to the right case."""
    # given
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office, subject="Aufenthalt Kowalski")
    other = make_case(office, subject="Anderer Vorgang")
    png = render_letter(LETTER)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(office=office, case=case, content=png, filename="brief.png", by=clerk)
    # then
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.DONE, document.ocr_error
    original, searchable = document.versions.order_by("number")
    assert original.blob.content_type == "image/png" and original.text == ""
    assert searchable.blob.content_type == "application/pdf"
    assert "Aufenthaltserlaubnis" in searchable.text
    pdf = PdfReader(io.BytesIO(blobs.read_bytes(searchable.blob)))
    xmp = pdf.xmp_metadata.stream.get_data().decode()  # PDF/A-2b is declared in the XMP metadata
    assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    hits = selectors.case_search(user=clerk, query="Aufenthaltserlaubnis")
    urls = {hit.url for hit in hits.hits if hit.kind == "efile.document"}
    assert urls == {f"/e-akte/vorgang/{case.pk}/"}
    assert f"/e-akte/vorgang/{other.pk}/" not in {hit.url for hit in hits.hits}
    assert selectors.case_search(user=make_staff(make_office()), query="Kundennummer").total == 0


def test_ocr_failure_keeps_the_document_marks_it_and_retries(settings, django_capture_on_commit_callbacks):
    """OCR failing (here: a Tesseract language that is not installed) keeps the scan, marks it
    "kein Text" with the reason, uses up the task's retries, and staff can start it again."""
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    settings.EFILE_OCR_LANGUAGE = "xyz"
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(
            office=office, case=case, content=render_letter(["Kein Text"]), filename="scan.png", by=clerk
        )
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.FAILED
    assert "Texterkennung" in document.ocr_error
    assert document.versions.count() == 1
    run = TaskRun.objects.get(key=services.ocr_task_key(document.versions.get().pk))
    assert run.status == TaskRun.Status.FAILED and run.attempts == run.max_attempts == 4
    # staff start it again once the cause is fixed
    settings.EFILE_OCR_LANGUAGE = "deu"
    with django_capture_on_commit_callbacks(execute=True):
        services.document_ocr_retry(document=document, by=clerk)
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.DONE
    assert document.versions.count() == 2
    with pytest.raises(InvalidInput):
        services.document_ocr_retry(document=document, by=clerk)


def test_documents_with_text_are_not_ocred():
    """A PDF with a text layer already has its text; no OCR task is queued."""
    case = make_case(make_office())
    document = services.document_add(
        case=case, title="Brief", content=make_text_pdf("Hallo Bremen"), filename="b.pdf", by=None
    )
    assert document.ocr_status == Document.OcrStatus.NOT_NEEDED
    assert not TaskRun.objects.filter(key__startswith="efile-ocr:").exists()


def test_scan_without_case_opens_a_new_case_in_the_office_inbox():
    """Without a case the scan opens "Posteingang: <name>" in the office, unassigned."""
    office = make_office()
    document = services.scan_intake(
        office=office, content=render_letter(["Hallo"]), filename="../../etc/Brief 1.png", by=None,
        file_plan_entry=make_plan_entry(),
    )  # fmt: skip
    assert document.case.subject == "Posteingang: Brief 1.png"
    assert document.case.office == office and document.case.assignee is None
    assert document.versions.get().filename == "Brief 1.png"


def test_a_refused_scan_leaves_no_new_case_behind():
    """A corrupt image: refused; the case that would have held it is not created either."""
    office = make_office()
    entry = make_plan_entry()
    with pytest.raises(InvalidInput, match="beschädigt"):
        services.scan_intake(
            office=office,
            content=render_letter(["x"])[:60],
            filename="kaputt.png",
            by=None,
            file_plan_entry=entry,
        )
    assert not office.cases.exists()


def test_scan_into_a_case_of_another_office_is_refused():
    case = make_case(make_office())
    with pytest.raises(InvalidInput, match="anderen Dienststelle"):
        services.scan_intake(
            office=make_office(), case=case, content=render_letter(["x"]), filename="a.png", by=None
        )


def test_retry_while_the_task_still_retries_is_a_conflict(settings):
    """Before the automatic retries are used up, starting OCR by hand is refused."""
    office = make_office()
    case = make_case(office)
    document = services.scan_intake(
        office=office, case=case, content=render_letter(["x"]), filename="a.png", by=None
    )
    version = document.versions.get()
    TaskRun.objects.create(
        key=services.ocr_task_key(version.pk),
        task_path="x",
        kwargs={},
        status=TaskRun.Status.RETRYING,
        max_attempts=4,
        backoff_seconds=60,
    )
    Document.objects.filter(pk=document.pk).update(ocr_status=Document.OcrStatus.FAILED)
    with pytest.raises(Conflict, match="automatisch"):
        services.document_ocr_retry(document=document, by=None)
