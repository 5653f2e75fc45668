"""Parties (organisation), confidentiality and the inbox filters of the E-Akte."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.models import Organisation, StaffRole
from rathaus.accounts.tests.factories import make_person
from rathaus.efile import selectors, services
from rathaus.efile.models import Case
from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput, NotFound

from .factories import make_case, make_office, make_plan_entry, make_staff, make_text_pdf
from .test_views import _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    """An office with the assignee, a colleague (Sachbearbeitung) and the Leitung, and one
    confidential case with a document, all containing the word "Zwergpinscher"."""
    office = make_office()
    assignee = make_staff(office)
    colleague = make_staff(office)
    lead = make_staff(office, role=StaffRole.Role.LEITUNG)
    case = make_case(office, subject="Hundesteuer Zwergpinscher", assignee=assignee)
    services.document_add(
        case=case,
        title="Schreiben Zwergpinscher",
        content=make_text_pdf("Zwergpinscher Halterin"),
        filename="brief.pdf",
        by=assignee,
    )
    case.refresh_from_db()
    case = services.case_confidentiality_set(
        case=case, confidentiality=Case.Confidentiality.VERTRAULICH, by=lead, expected_version=case.version
    )
    return office, case, assignee, colleague, lead


def _hit_urls(user):
    return {hit.url for hit in selectors.case_search(user=user, query="Zwergpinscher").hits}


def test_confidential_case_is_hidden_from_a_colleague_and_the_attempt_audited(setting):
    """A colleague of the same office gets NotFound for the case and its document and an
    access.denied entry with reason "confidential"; inbox, due list and search omit the case."""
    office, case, _assignee, colleague, _lead = setting
    version = case.documents.get().versions.get()
    with pytest.raises(NotFound):
        selectors.case_detail(case_id=case.pk, user=colleague)
    with pytest.raises(NotFound):
        selectors.document_version_for(version_id=version.pk, user=colleague)
    denied = audit.entries_for_target("efile.case", case.pk).filter(action="access.denied").get()
    assert denied.details == {"reason": "confidential"}
    assert selectors.office_inbox(office=office, user=colleague).cases == []
    assert _hit_urls(colleague) == set()


def test_confidential_case_is_visible_to_assignee_and_leitung(setting):
    """The assignee and the Leitung of the office read the case, download its document, find
    it (case and document) by search and see it in the inbox."""
    office, case, assignee, _colleague, lead = setting
    version = case.documents.get().versions.get()
    url = reverse("efile:case-detail", args=[case.pk])
    for user in (assignee, lead):
        assert selectors.case_detail(case_id=case.pk, user=user) == case
        assert selectors.document_version_for(version_id=version.pk, user=user) == version
        assert [c.pk for c in selectors.office_inbox(office=office, user=user).cases] == [case.pk]
        results = selectors.case_search(user=user, query="Zwergpinscher")
        assert results.total == 2 and _hit_urls(user) == {url}


def test_setting_confidentiality_is_audited_and_reindexes(setting):
    """Back to "normal": the colleague finds the case again; both changes are in the log."""
    _office, case, _assignee, colleague, lead = setting
    services.case_confidentiality_set(
        case=case, confidentiality=Case.Confidentiality.NORMAL, by=lead, expected_version=case.version
    )
    assert selectors.case_search(user=colleague, query="Zwergpinscher").total == 2
    changes = audit.entries_for_target("efile.case", case.pk).filter(action="efile.case_confidentiality_set")
    assert [e.details["to"] for e in changes.order_by("id")] == ["vertraulich", "normal"]


def test_confidentiality_refuses_stale_version_and_unknown_value(setting):
    """A stale expected_version is a conflict; "geheim" is not a confidentiality."""
    _office, case, assignee, _colleague, _lead = setting
    with pytest.raises(services.StaleCase):
        services.case_confidentiality_set(
            case=case, confidentiality="normal", by=assignee, expected_version=case.version - 1
        )
    with pytest.raises(InvalidInput):
        services.case_confidentiality_set(case=case, confidentiality="geheim", by=assignee)


def test_colleague_gets_404_in_the_browser_and_the_form_sets_confidentiality(client, setting):
    """Over HTTP: the colleague gets 404 for case and download; the lead's form lifts it."""
    _office, case, _assignee, colleague, lead = setting
    version = case.documents.get().versions.get()
    _login(client, colleague)
    assert client.get(reverse("efile:case-detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("efile:version-download", args=[version.pk])).status_code == 404
    _login(client, lead)
    response = client.post(
        reverse("efile:case-confidentiality", args=[case.pk]),
        {"confidentiality": "normal", "version": case.version},
    )
    assert response.status_code == 302
    _login(client, colleague)
    assert client.get(reverse("efile:case-detail", args=[case.pk])).status_code == 200


def test_case_create_links_an_organisation_and_the_inbox_filters_by_party():
    """The party filter matches the organisation's or the person's name, case-insensitively."""
    office = make_office()
    entry = make_plan_entry()
    firm = Organisation.objects.create(name="Bäckerei Sonnenschein GmbH", kind=Organisation.Kind.COMPANY)
    with_firm = make_case(office, entry=entry, organisation=firm)
    with_person = make_case(office, entry=entry, person=make_person(family_name="Oltmanns"))
    make_case(office, entry=entry)
    assert with_firm.organisation == firm
    assert [c.pk for c in selectors.office_inbox(office=office, party="sonnenschein").cases] == [with_firm.pk]
    assert [c.pk for c in selectors.office_inbox(office=office, party="oltm").cases] == [with_person.pk]


def test_inbox_filters_by_opened_date_range():
    """Only cases opened within the (inclusive) range are listed."""
    office = make_office()
    entry = make_plan_entry()
    old, new = make_case(office, entry=entry), make_case(office, entry=entry)
    today = timezone.localdate()
    Case.objects.filter(pk=old.pk).update(opened_at=timezone.now() - datetime.timedelta(days=40))
    recent = selectors.office_inbox(office=office, opened_from=today - datetime.timedelta(days=7))
    assert [c.pk for c in recent.cases] == [new.pk]
    older = selectors.office_inbox(office=office, opened_to=today - datetime.timedelta(days=30))
    assert [c.pk for c in older.cases] == [old.pk]
    both = selectors.office_inbox(
        office=office, opened_from=today - datetime.timedelta(days=41), opened_to=today
    )
    assert len(both.cases) == 2


def test_inbox_view_filters_and_answers_bad_dates_in_german(client):
    """Tried: "31.02.2026" and "morgen" as dates, and a range whose end lies before its start —
    each gives a German form error (status 200 page, no cases listed), not a server error."""
    office = make_office()
    clerk = make_staff(office)
    firm = Organisation.objects.create(name="Stadtwerke Nord", kind=Organisation.Kind.AUTHORITY)
    hit = make_case(office, subject="Leitungsbau", organisation=firm)
    miss = make_case(office, subject="Gartenfest")
    _login(client, clerk)
    page = client.get(reverse("efile:inbox"), {"beteiligt": "stadtwerke"}).content.decode()
    assert hit.case_file.aktenzeichen in page and miss.case_file.aktenzeichen not in page
    for params in ({"eroeffnet_von": "31.02.2026"}, {"eroeffnet_bis": "morgen"}):
        response = client.get(reverse("efile:inbox"), params)
        assert response.status_code == 200
        assert "muss die Form JJJJ-MM-TT haben" in response.content.decode()
        assert hit.case_file.aktenzeichen not in response.content.decode()
    response = client.get(
        reverse("efile:inbox"), {"eroeffnet_von": "2026-05-01", "eroeffnet_bis": "2026-04-01"}
    )
    assert "Das Ende des Zeitraums liegt vor seinem Anfang." in response.content.decode()


def test_api_creates_a_confidential_case_with_an_organisation(client):
    """The API takes organisation_id and confidentiality; tried: an unknown organisation (422,
    nothing filed) and "geheim" as confidentiality (422)."""
    from django.core.cache import cache

    from .test_api import _headers

    cache.clear()
    office = make_office()
    entry = make_plan_entry()
    firm = Organisation.objects.create(name="Kita Regenbogen e. V.", kind=Organisation.Kind.OTHER)
    headers = _headers(make_staff(office), ["efile:write"])
    body = {"office_id": office.pk, "subject": "Zuschuss", "file_plan_entry_id": entry.pk}
    response = client.post(
        "/api/v1/efile/cases",
        {**body, "organisation_id": firm.pk, "confidentiality": "streng_vertraulich"},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["id"])
    assert case.organisation == firm and case.confidentiality == "streng_vertraulich"
    for extra, needle in (
        ({"organisation_id": 999999}, "Organisation"),
        ({"confidentiality": "geheim"}, "geheim"),
    ):
        response = client.post(
            "/api/v1/efile/cases", {**body, **extra}, content_type="application/json", headers=headers
        )
        assert response.status_code == 422 and needle in response.json()["detail"]
    assert Case.objects.count() == 1
    cache.clear()
