"""The case page as a workbench (issue 10, item 7): unique ids, actions in disclosures, the
error next to the action that failed, documents in a viewer, readable history and labels."""

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rathaus.accounts.models import Organisation
from rathaus.efile import services
from rathaus.efile.models import Case
from rathaus.efile.scan_samples import render_letter
from rathaus.kernel import audit

from .factories import make_case, make_office, make_staff, make_text_pdf
from .test_views import _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return make_office(name="Bürgeramt Test")


@pytest.fixture
def clerk(office):
    return make_staff(office, full_name="Frauke Tietjen")


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def _page(client, case, **params):
    return client.get(reverse("efile:case-detail", args=[case.pk]), params)


def test_every_id_on_the_case_page_is_unique_and_each_label_points_at_its_own_field(client, office, clerk):
    """Before: id_title twice and id_version seven times, so "Titel" of "Dokument hinzufügen"
    labelled the Bescheid's subject. Now every form has its own id prefix."""
    case = make_case(office)
    html = _page(_login(client, clerk), case).content.decode()
    duplicates = {name: count for name, count in _ids(html).items() if count > 1}
    assert duplicates == {}
    assert '<label class="kern-label" for="dokument-title">Titel' in html
    assert 'id="dokument-title"' in html and 'id="bescheid-title"' in html


@pytest.mark.parametrize("tab", ["dokumente", "notizen", "verlauf"])
def test_ids_stay_unique_on_every_tab_and_after_a_failed_action(client, office, clerk, tab):
    case = make_case(office)
    services.document_add(
        case=case, title="Brief", content=make_text_pdf("Hallo"), filename="b.pdf", by=clerk
    )
    _login(client, clerk)
    document = case.documents.get()
    for html in (
        _page(client, case, tab=tab, dokument=document.pk).content.decode(),
        client.post(reverse("efile:case-note", args=[case.pk]), {"text": " "}).content.decode(),
    ):
        assert {name for name, count in _ids(html).items() if count > 1} == set()


def test_actions_are_closed_disclosures_until_one_fails(client, office, clerk):
    """Nine actions, each a <details>; none open on a plain visit (the page stays short)."""
    case = make_case(office)
    html = _page(_login(client, clerk), case).content.decode()
    disclosures = re.findall(
        r'<details class="kern-accordion app-efile-action" id="(aktion-[a-z]+)"( open)?>', html
    )
    assert [name for name, _open in disclosures] == [
        "aktion-notiz",
        "aktion-dokument",
        "aktion-scans",
        "aktion-bescheid",
        "aktion-wiedervorlage",
        "aktion-zuweisen",
        "aktion-abgeben",
        "aktion-vertraulichkeit",
        "aktion-abschliessen",
    ]
    assert not any(is_open for _name, is_open in disclosures)
    assert "app-error-summary" not in html


def _open_disclosure(html: str) -> str:
    opened = re.findall(r'<details class="kern-accordion app-efile-action" id="(aktion-[a-z]+)" open>', html)
    assert len(opened) == 1, opened
    return opened[0]


def test_a_failed_action_comes_back_open_with_its_error_summary_inside(client, office, clerk):
    """The resubmission in the past: its disclosure is open, the one error summary sits inside it
    and links to the date field of this form."""
    case = make_case(office)
    response = _login(client, clerk).post(
        reverse("efile:case-resubmission", args=[case.pk]), {"on": "2020-01-01", "version": case.version}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _open_disclosure(html) == "aktion-wiedervorlage"
    assert html.count('class="kern-alert kern-alert--danger app-error-summary"') == 1
    block = html.split('id="aktion-wiedervorlage"', 1)[1].split("</details>", 1)[0]
    assert 'href="#wiedervorlage-on"' in block
    # The form posts to "…#aktion-wiedervorlage-fehler": the browser scrolls the answer to the
    # errors and focuses them (the box is focusable), without JavaScript.
    url = reverse("efile:case-resubmission", args=[case.pk])
    assert f'action="{url}#aktion-wiedervorlage-fehler"' in block
    assert '<div class="app-efile-action__errors" id="aktion-wiedervorlage-fehler" tabindex="-1">' in block


@pytest.mark.parametrize(
    ("url_name", "data", "key"),
    [
        ("efile:case-note", {"text": ""}, "aktion-notiz"),
        ("efile:bescheid-issue", {"title": "", "body": "", "version": 1}, "aktion-bescheid"),
        ("efile:case-close", {"version": 0}, "aktion-abschliessen"),
        ("efile:case-forward", {"note": "", "version": 1}, "aktion-abgeben"),
        ("efile:document-upload", {"title": "x", "version": 1}, "aktion-dokument"),
        ("efile:scan-upload", {}, "aktion-scans"),
        ("efile:case-confidentiality", {"confidentiality": "geheim", "version": 1}, "aktion-vertraulichkeit"),
        ("efile:case-assign", {"assignee": 999999, "version": 1}, "aktion-zuweisen"),
    ],
)
def test_each_action_shows_its_error_in_its_own_disclosure(client, office, clerk, url_name, data, key):
    case = make_case(office)
    response = _login(client, clerk).post(reverse(url_name, args=[case.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert _open_disclosure(html) == key
    assert "app-error-summary" in html.split(f'id="{key}"', 1)[1].split("</details>", 1)[0]


def test_the_assign_form_lists_people_by_name_not_login(client, office, clerk):
    case = make_case(office)
    html = _page(_login(client, clerk), case).content.decode()
    assert f'<option value="{clerk.pk}">Frauke Tietjen</option>' in html
    assert f">{clerk.username}<" not in html


def test_summary_header_names_parties_and_the_channel_in_words(client, office, clerk):
    organisation = Organisation.objects.create(name="Stadtwerke Bremen", kind=Organisation.Kind.COMPANY)
    case = make_case(office, subject="Hausanschluss", organisation=organisation, source="einvoice")
    html = _page(_login(client, clerk), case).content.decode()
    assert "Stadtwerke Bremen" in html and "E-Rechnung" in html
    assert ">einvoice<" not in html


def test_history_shows_german_labels_names_and_readable_times(client, office, clerk):
    """Before: the codes ``efile.case_created`` … and user names. Now labels and full names."""
    case = make_case(office, created_by=clerk)
    services.case_note_add(case=case, text="Rückruf", by=clerk)
    html = _page(_login(client, clerk), case, tab="verlauf").content.decode()
    assert "Vorgang angelegt" in html and "Notiz hinzugefügt" in html and "Frauke Tietjen" in html
    assert "efile.case" not in html
    assert re.search(r"\d{1,2}\. [A-ZÄÖÜ][a-zäöü]+ \d{4}, \d{2}:\d{2}", html)


def test_notes_and_history_are_tabs_reached_by_plain_links(client, office, clerk):
    case = make_case(office)
    services.case_note_add(case=case, text="Akteneinsicht gewährt", by=clerk)
    _login(client, clerk)
    documents = _page(client, case).content.decode()
    assert '?tab=notizen"' in documents and "Akteneinsicht gewährt" not in documents
    notes = _page(client, case, tab="notizen").content.decode()
    assert "Akteneinsicht gewährt" in notes
    assert '?tab=notizen" aria-current="page"' in notes


def test_a_pdf_opens_in_the_viewer_as_page_images_and_the_view_is_audited(client, office, clerk):
    case = make_case(office)
    document = services.document_add(
        case=case,
        title="Antrag Becker",
        content=make_text_pdf("Antrag Becker"),
        filename="antrag.pdf",
        by=clerk,
    )
    version = document.versions.get()
    _login(client, clerk)
    html = _page(client, case, dokument=document.pk).content.decode()
    page_url = reverse("efile:version-page", args=[version.pk, 1])
    assert f'src="{page_url}"' in html and 'alt="Seite 1 von 1: Antrag Becker"' in html
    assert "Antrag Becker" in html.split('id="betrachter"', 1)[1]  # its text, for reading aloud
    image = client.get(page_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert client.get(reverse("efile:version-page", args=[version.pk, 2])).status_code == 404
    viewed = audit.entries_for_target("efile.case", case.pk).filter(action="efile.document_viewed")
    assert viewed.count() == 1


def test_a_scanned_image_is_shown_and_other_offices_get_404(client, office, clerk):
    case = make_case(office)
    _login(client, clerk)
    upload = SimpleUploadedFile("brief.png", render_letter(["Brief"]), content_type="image/png")
    client.post(reverse("efile:scan-upload", args=[case.pk]), {"files": [upload]})
    document = case.documents.get()
    original = document.versions.get(number=1)
    html = _page(client, case, dokument=document.pk, version=1).content.decode()
    assert reverse("efile:version-page", args=[original.pk, 1]) in html
    assert client.get(reverse("efile:version-page", args=[original.pk, 1]))["Content-Type"] == "image/png"
    stranger = make_staff(make_office())
    _login(client, stranger)
    assert client.get(reverse("efile:version-page", args=[original.pk, 1])).status_code == 404


def test_a_document_of_another_case_is_not_shown_in_the_viewer(client, office, clerk):
    case, other = make_case(office), make_case(office)
    document = services.document_add(
        case=other, title="Fremd", content=make_text_pdf("Fremd"), filename="f.pdf", by=clerk
    )
    html = _page(_login(client, clerk), case, dokument=document.pk).content.decode()
    assert 'id="betrachter"' not in html


def test_long_hashes_may_wrap(client, office, clerk):
    case = make_case(office)
    document = services.document_add(
        case=case, title="Brief", content=make_text_pdf("Hallo"), filename="b.pdf", by=clerk
    )
    html = _page(_login(client, clerk), case).content.decode()
    sha = document.versions.get().blob.sha256
    assert f'<code class="app-efile-hash">{sha}</code>' in html


def test_closed_case_offers_no_actions(client, office, clerk):
    case = make_case(office)
    services.case_close(case=case, by=clerk)
    html = _page(_login(client, clerk), Case.objects.get(pk=case.pk)).content.decode()
    assert "app-efile-action" not in html and "kann nur noch gelesen werden" in html


def test_the_case_page_speaks_english_when_asked(client, office, clerk):
    case = make_case(office, created_by=clerk)
    _login(client, clerk)
    response = client.get(
        reverse("efile:case-detail", args=[case.pk]), {"tab": "verlauf"}, headers={"accept-language": "en"}
    )
    html = response.content.decode()
    assert "Case created" in html and "Actions" in html and "Add a note" in html
