"""Staff pages for scans, OCR status, notes, Bescheide and due resubmissions."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rathaus.efile.models import Case, Document
from rathaus.efile.scan_samples import render_letter

from .factories import make_case, make_office, make_pdf, make_staff
from .test_views import _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def clerk(office):
    return make_staff(office)


def test_several_scans_at_once_are_filed_each_and_a_bad_one_is_named(client, office, clerk):
    """Two good scans and one corrupt PDF in one upload: both scans are filed (OCR pending, shown
    on the page), the bad one is listed with its reason, nothing else is lost."""
    case = make_case(office)
    _login(client, clerk)
    files = [
        SimpleUploadedFile("seite1.png", render_letter(["Seite eins"]), content_type="image/png"),
        SimpleUploadedFile("seite2.jpg", render_letter(["Seite zwei"], image_format="JPEG"), "image/jpeg"),
        SimpleUploadedFile("kaputt.pdf", make_pdf()[:200], content_type="application/pdf"),
    ]
    response = client.post(reverse("efile:scan-upload", args=[case.pk]), {"files": files})
    assert response.status_code == 400
    page = response.content.decode()
    assert "kaputt.pdf" in page and "beschädigt" in page
    assert "2 Scans abgelegt" in page
    assert sorted(case.documents.values_list("title", flat=True)) == ["seite1", "seite2"]
    assert "Texterkennung läuft" in page


def test_all_good_scans_redirect_back_to_the_case(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    upload = SimpleUploadedFile("brief.png", render_letter(["Brief"]), content_type="image/png")
    response = client.post(reverse("efile:scan-upload", args=[case.pk]), {"files": [upload]})
    assert response.status_code == 302
    assert case.documents.get().ocr_status == Document.OcrStatus.PENDING


def test_a_failed_ocr_is_shown_as_no_text_with_a_retry_button(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    upload = SimpleUploadedFile("brief.png", render_letter(["Brief"]), content_type="image/png")
    client.post(reverse("efile:scan-upload", args=[case.pk]), {"files": [upload]})
    document = case.documents.get()
    Document.objects.filter(pk=document.pk).update(
        ocr_status=Document.OcrStatus.FAILED, ocr_error="Die Texterkennung ist fehlgeschlagen: Test"
    )
    page = client.get(reverse("efile:case-detail", args=[case.pk])).content.decode()
    assert "Kein Text" in page and "fehlgeschlagen: Test" in page
    assert reverse("efile:document-ocr-retry", args=[case.pk, document.pk]) in page


def test_retry_of_another_office_s_document_is_404(client, office, clerk):
    foreign = make_case(make_office())
    _login(client, clerk)
    response = client.post(reverse("efile:document-ocr-retry", args=[foreign.pk, 1]))
    assert response.status_code == 404


def test_note_form_adds_a_note_and_an_empty_one_shows_an_error(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    response = client.post(
        reverse("efile:case-note", args=[case.pk]), {"text": "Telefonat mit Antragsteller"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("efile:case-detail", args=[case.pk]) + "?tab=notizen#main"
    page = client.get(response["Location"]).content.decode()
    assert "Telefonat mit Antragsteller" in page
    response = client.post(reverse("efile:case-note", args=[case.pk]), {"text": "  "})
    assert response.status_code == 400
    assert case.notes.count() == 1


def test_bescheid_form_files_an_outgoing_pdf(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    response = client.post(
        reverse("efile:bescheid-issue", args=[case.pk]),
        {
            "title": "Bescheid über die Anmeldung",
            "body": "Die Anmeldung wird bestätigt.",
            "addressee": "",
            "with_remedy_notice": "on",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    document = case.documents.get()
    assert document.direction == Document.Direction.OUTGOING
    assert document.versions.get().filename.startswith("Bescheid_")


def test_bescheid_from_a_stale_form_is_a_conflict_and_nothing_filed(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    response = client.post(
        reverse("efile:bescheid-issue", args=[case.pk]),
        {"title": "Bescheid", "body": "Text", "version": case.version - 1},
    )
    assert response.status_code == 400
    assert "inzwischen" in response.content.decode()
    assert not case.documents.exists()


def test_inbox_lists_due_resubmissions(client, office, clerk):
    case = make_case(office, subject="Wiedervorlage Janssen")
    Case.objects.filter(pk=case.pk).update(resubmission_on=timezone.localdate() - datetime.timedelta(days=1))
    page = _login(client, clerk).get(reverse("efile:inbox")).content.decode()
    assert "Fällige Wiedervorlagen" in page and "Wiedervorlage Janssen" in page
