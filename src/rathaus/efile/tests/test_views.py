import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rathaus.efile.models import Case
from rathaus.kernel import audit
from rathaus.kernel.testing import log_in_staff as _login

from .factories import make_case, make_office, make_pdf, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def clerk(office):
    return make_staff(office)


def test_inbox_lists_the_office_cases(client, office, clerk):
    """The office's open cases appear with their Aktenzeichen."""
    case = make_case(office, subject="Wohnsitzanmeldung Becker")
    response = _login(client, clerk).get(reverse("efile:inbox"))
    assert response.status_code == 200
    assert case.case_file.aktenzeichen in response.content.decode()


def test_inbox_requires_staff_login(client):
    """Anonymous visitors are sent to the staff login."""
    response = client.get(reverse("efile:inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_case_of_another_office_is_404_and_denied_access_is_audited(client, office):
    """Staff of another office cannot tell whether the case exists."""
    case = make_case(office)
    stranger = make_staff(make_office())
    response = _login(client, stranger).get(reverse("efile:case-detail", args=[case.pk]))
    assert response.status_code == 404
    assert audit.entries_for_target("efile.case", case.pk).filter(action="access.denied").exists()


def test_upload_adds_a_document_and_download_returns_the_bytes(client, office, clerk):
    """Upload stores version 1; the download link returns exactly those bytes and is audited."""
    case = make_case(office)
    _login(client, clerk)
    pdf = make_pdf("Brief")
    upload = SimpleUploadedFile("brief.pdf", pdf, content_type="application/pdf")
    response = client.post(
        reverse("efile:document-upload", args=[case.pk]), {"title": "Brief", "file": upload, "version": 1}
    )
    assert response.status_code == 302
    version = case.documents.get().versions.get()
    download = client.get(reverse("efile:version-download", args=[version.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert audit.entries_for_target("efile.case", case.pk).filter(action="efile.document_downloaded").exists()


def test_upload_of_wrong_type_shows_a_precise_german_error_and_stores_nothing(client, office, clerk):
    """The form comes back with the error summary; no document exists."""
    case = make_case(office)
    upload = SimpleUploadedFile("brief.pdf", b"Nur Text, kein PDF", content_type="application/pdf")
    response = _login(client, clerk).post(
        reverse("efile:document-upload", args=[case.pk]), {"title": "Brief", "file": upload, "version": 1}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "app-error-summary" in body and "brief.pdf" in body
    assert not case.documents.exists()


def test_forward_form_moves_the_case_and_a_stale_form_gets_a_conflict(client, office, clerk):
    """The second of two concurrent forms is refused with a clear message."""
    other = make_office(name="Migrationsamt")
    case = make_case(office)
    _login(client, clerk)
    url = reverse("efile:case-forward", args=[case.pk])
    first = client.post(url, {"to_office": other.pk, "note": "zuständig", "version": 1})
    assert first.status_code == 302
    assert Case.objects.get(pk=case.pk).office == other
    stale = client.post(reverse("efile:case-close", args=[case.pk]), {"version": 1})
    assert stale.status_code == 404  # no longer this office's case


def test_close_with_stale_version_shows_conflict(client, office, clerk):
    """Closing from a form built before another change is refused; the case stays open."""
    case = make_case(office)
    _login(client, clerk)
    response = client.post(reverse("efile:case-close", args=[case.pk]), {"version": 0})
    assert response.status_code == 400 and "inzwischen" in response.content.decode()
    assert not Case.objects.get(pk=case.pk).is_closed


def test_assign_and_resubmission_forms_update_the_case(client, office, clerk):
    """Assigning to oneself and setting a Wiedervorlage; the history shows both."""
    import datetime

    from django.utils import timezone

    case = make_case(office)
    _login(client, clerk)
    response = client.post(reverse("efile:case-assign", args=[case.pk]), {"assignee": clerk.pk, "version": 1})
    assert response.status_code == 302
    on = timezone.localdate() + datetime.timedelta(days=7)
    response = client.post(
        reverse("efile:case-resubmission", args=[case.pk]), {"on": on.isoformat(), "version": 2}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == clerk and case.resubmission_on == on
    page = client.get(reverse("efile:case-detail", args=[case.pk]), {"tab": "verlauf"}).content.decode()
    assert "Bearbeitung zugewiesen" in page and "Wiedervorlage gesetzt" in page
    assert "efile.case_assigned" not in page and "efile.case_resubmission_set" not in page


def test_resubmission_in_the_past_is_shown_at_the_field(client, office, clerk):
    """The error is linked from the summary to the date field; nothing changes."""
    case = make_case(office)
    response = _login(client, clerk).post(
        reverse("efile:case-resubmission", args=[case.pk]), {"on": "2020-01-01", "version": 1}
    )
    assert response.status_code == 400
    assert 'href="#wiedervorlage-on"' in response.content.decode()
    case.refresh_from_db()
    assert case.resubmission_on is None


def test_inbox_speaks_english_when_asked(client, office, clerk):
    """Every UI text has an English translation, the case status included."""
    make_case(office)
    response = _login(client, clerk).get(reverse("efile:inbox"), headers={"accept-language": "en"})
    body = response.content.decode()
    assert "Inbox" in body and "File reference" in body and ">New<" in body
