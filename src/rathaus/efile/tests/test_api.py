import pytest
from django.core.cache import cache

from rathaus.accounts import services as account_services
from rathaus.efile.models import Case

from .factories import make_case, make_office, make_plan_entry, make_staff

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _clear_cache():
    """The API's rate counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def office():
    return make_office()


def _headers(user, scopes):
    _token, plaintext = account_services.api_token_issue(owner=user, name="Fachverfahren", scopes=scopes)
    return {"Authorization": f"Bearer {plaintext}"}


def test_list_and_read_cases_of_the_token_owners_office(client, office):
    """The list is newest first with Aktenzeichen; the detail counts documents."""
    headers = _headers(make_staff(office), ["efile:read"])
    older, newer = make_case(office, subject="A"), make_case(office, subject="B")
    response = client.get("/api/v1/efile/cases", {"office_id": office.pk}, headers=headers)
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [newer.pk, older.pk]
    detail = client.get(f"/api/v1/efile/cases/{older.pk}", headers=headers).json()
    assert detail["aktenzeichen"] == older.case_file.aktenzeichen and detail["documents"] == 0


def test_create_case_returns_201_with_aktenzeichen(client, office):
    """Another system files a case; source defaults to "api"."""
    entry = make_plan_entry()
    headers = _headers(make_staff(office), ["efile:read", "efile:write"])
    response = client.post(
        "/api/v1/efile/cases",
        {"office_id": office.pk, "subject": "Antrag auf Wohngeld", "file_plan_entry_id": entry.pk},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.source == "api" and response.json()["aktenzeichen"] == case.case_file.aktenzeichen


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"subject": " ", "file_plan_entry_id": None}, 422, "Betreff"),
        ({"subject": "X", "file_plan_entry_id": 999999}, 422, "Aktenplaneintrag"),
    ],
)
def test_bad_create_input_is_a_problem_and_creates_nothing(client, office, body, status, needle):
    """Blank subject or unknown plan entry: problem+json, no case."""
    entry = make_plan_entry()
    payload = {"office_id": office.pk, **body}
    if payload["file_plan_entry_id"] is None:
        payload["file_plan_entry_id"] = entry.pk
    headers = _headers(make_staff(office), ["efile:write"])
    response = client.post("/api/v1/efile/cases", payload, content_type="application/json", headers=headers)
    assert response.status_code == status and response["Content-Type"] == PROBLEM
    assert needle in response.json()["detail"]
    assert not Case.objects.exists()


def test_other_office_and_missing_scope_are_refused(client, office):
    """A case of another office is 404; a token without efile:read gets 403."""
    case = make_case(make_office())
    headers = _headers(make_staff(office), ["efile:read"])
    response = client.get(f"/api/v1/efile/cases/{case.pk}", headers=headers)
    assert response.status_code == 404 and response["Content-Type"] == PROBLEM
    response = client.get("/api/v1/efile/cases", {"office_id": case.office_id}, headers=headers)
    assert response.status_code == 404
    no_scope = _headers(make_staff(office), ["einvoice:submit"])
    response = client.get(f"/api/v1/efile/cases/{case.pk}", headers=no_scope)
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM


def test_a_scan_added_through_the_api_is_ocred_and_its_status_readable(
    client, office, django_capture_on_commit_callbacks
):
    """POST a PNG to a case: 201, OCR pending; after the task the list shows version 2 (PDF/A)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rathaus.efile.scan_samples import render_letter

    headers = _headers(make_staff(office), ["efile:read", "efile:write"])
    case = make_case(office)
    upload = SimpleUploadedFile("eingang.png", render_letter(["Gewerbeanmeldung Hafenstrasse"]), "image/png")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/api/v1/efile/cases/{case.pk}/documents", {"file": upload}, headers=headers)
    assert response.status_code == 201, response.content
    assert response.json()["ocr_status"] == "pending"
    for callback in callbacks:
        callback()
    listed = client.get(f"/api/v1/efile/cases/{case.pk}/documents", headers=headers).json()
    assert listed[0]["ocr_status"] == "done"
    assert [v["content_type"] for v in listed[0]["versions"]] == ["image/png", "application/pdf"]


def test_a_corrupt_document_through_the_api_is_a_problem_and_other_offices_get_404(client, office):
    """Tried: a truncated PDF (422 problem+json, nothing filed) and a case of another office (404)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .factories import make_pdf

    headers = _headers(make_staff(office), ["efile:read", "efile:write"])
    case = make_case(office)
    bad = SimpleUploadedFile("kaputt.pdf", make_pdf()[:200], "application/pdf")
    response = client.post(f"/api/v1/efile/cases/{case.pk}/documents", {"file": bad}, headers=headers)
    assert response.status_code == 422 and response["Content-Type"] == PROBLEM
    assert "beschädigt" in response.json()["detail"]
    assert not case.documents.exists()
    foreign = make_case(make_office())
    response = client.get(f"/api/v1/efile/cases/{foreign.pk}/documents", headers=headers)
    assert response.status_code == 404
