"""Notes, generated Bescheide and resubmission reminders."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from rathaus.efile import selectors, services
from rathaus.efile.models import Case, Document
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import InvalidInput

from .factories import make_case, make_office, make_staff

pytestmark = pytest.mark.django_db


def test_note_is_kept_audited_without_its_text_and_found_with_its_case():
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    note = services.case_note_add(case=case, text="  Rückruf von Frau Ahlers wegen Zuständigkeit  ", by=clerk)
    assert note.text == "Rückruf von Frau Ahlers wegen Zuständigkeit"
    entry = audit.entries_for_target("efile.case", case.pk).get(action="efile.case_note_added")
    assert "Ahlers" not in str(entry.details)
    hits = selectors.case_search(user=clerk, query="Zuständigkeit")
    assert [hit.url for hit in hits.hits if hit.kind == "efile.case"] == [f"/e-akte/vorgang/{case.pk}/"]


@pytest.mark.parametrize(("text", "message"), [("   ", "Text"), ("x" * 10_001, "zu lang")])
def test_empty_or_overlong_notes_are_refused(text, message):
    case = make_case(make_office())
    with pytest.raises(InvalidInput, match=message):
        services.case_note_add(case=case, text=text, by=None)
    assert not case.notes.exists()


def test_notes_on_a_closed_case_are_refused():
    case = services.case_close(case=make_case(make_office()), by=None)
    with pytest.raises(services.CaseClosed):
        services.case_note_add(case=case, text="Nachtrag", by=None)


def test_bescheid_is_a_real_pdf_filed_as_outgoing_document_with_remedy_notice():
    """The generated PDF opens, names authority, Aktenzeichen and officer (§ 37 Abs. 3 VwVfG) and
    has the Rechtsbehelfsbelehrung; its text is searchable; no OCR is needed."""
    office = make_office(name="Bürgeramt Mitte", street_address="Am Markt 1", postal_code="28195")
    clerk = make_staff(office, full_name="Jana Kruse")
    case = make_case(office)
    document = services.bescheid_issue(
        case=case,
        title="Bescheid über Wohngeld",
        body="Ihrem Antrag wird stattgegeben. Das Wohngeld beträgt monatlich 212,00 €.",
        addressee="Frau Erika Müller\nHauptstraße 1\n28195 Bremen",
        by=clerk,
        expected_version=case.version,
    )
    assert document.direction == Document.Direction.OUTGOING
    assert document.ocr_status == Document.OcrStatus.NOT_NEEDED
    version = document.versions.get()
    assert version.blob.content_type == "application/pdf"
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(blobs.read_bytes(version.blob))).pages
    )
    for expected in (
        "Bürgeramt Mitte",
        case.case_file.aktenzeichen,
        "Jana Kruse",
        "Rechtsbehelfsbelehrung",
        "212,00 €",
        "Erika Müller",
    ):
        assert expected in text
    assert "Wohngeld" in version.text
    assert selectors.case_search(user=clerk, query="stattgegeben").total == 1
    assert audit.entries_for_target("efile.case", case.pk).filter(action="efile.bescheid_issued").exists()


def test_bescheid_without_body_or_from_a_stale_form_is_refused_and_nothing_filed():
    office = make_office()
    clerk = make_staff(office)
    case = make_case(office)
    with pytest.raises(InvalidInput, match="Text des Bescheids"):
        services.bescheid_issue(case=case, title="Bescheid", body="  ", by=clerk)
    with pytest.raises(services.StaleCase):
        services.bescheid_issue(
            case=case, title="Bescheid", body="Text", by=clerk, expected_version=case.version - 1
        )
    assert not case.documents.exists()


def test_bescheid_needs_the_officer_s_name():
    """§ 37 Abs. 3 VwVfG: without a person's name (e.g. issued by the system) it is refused."""
    case = make_case(make_office())
    with pytest.raises(InvalidInput, match="37 Abs. 3"):
        services.bescheid_issue(case=case, title="Bescheid", body="Text", by=None)


def _with_email(user, name: str):
    user.email = f"{name}@example.org"
    user.save(update_fields=["email"])
    return user


def _due(case: Case, days_ago: int) -> Case:
    Case.objects.filter(pk=case.pk).update(
        resubmission_on=timezone.localdate() - datetime.timedelta(days=days_ago)
    )
    case.refresh_from_db()
    return case


def test_reminders_go_to_the_assignee_or_the_office_once_a_day_with_aktenzeichen_only():
    """Assigned due case → its assignee; unassigned due case → all clerks of the office; a case
    due tomorrow, a closed one and the other office's staff get nothing; a second run the same
    day sends nothing more. The e-mail lists Aktenzeichen, never subjects."""
    office, other_office = make_office(), make_office()
    anna = _with_email(make_staff(office), "anna")
    _with_email(make_staff(office), "ben")
    _with_email(make_staff(other_office), "carla")
    mine = _due(
        services.case_assign(case=make_case(office, subject="Geheim Becker"), assignee=anna, by=None), 1
    )
    unassigned = _due(make_case(office), 0)
    later = make_case(office)
    Case.objects.filter(pk=later.pk).update(resubmission_on=timezone.localdate() + datetime.timedelta(days=1))
    services.case_close(case=_due(make_case(office), 3), by=None)
    out = io.StringIO()
    call_command("efile_resubmission_reminders", stdout=out)
    assert "2 Personen" in out.getvalue()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"anna@example.org", "ben@example.org"}
    assert mine.case_file.aktenzeichen in by_address["anna@example.org"].body
    assert unassigned.case_file.aktenzeichen in by_address["anna@example.org"].body
    assert mine.case_file.aktenzeichen not in by_address["ben@example.org"].body
    assert unassigned.case_file.aktenzeichen in by_address["ben@example.org"].body
    assert "Becker" not in by_address["anna@example.org"].body
    call_command("efile_resubmission_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("configured", "site"),
    [("https://service.bremen.example", "https://service.bremen.example"), ("", "http://127.0.0.1:8000")],
)
def test_reminder_links_each_case_absolutely_also_without_a_configured_site(settings, configured, site):
    """Issue 20, finding 5 elsewhere: without RATHAUS_BASE_URL the reminder lost its links."""
    settings.RATHAUS_BASE_URL = configured
    office = make_office()
    _with_email(make_staff(office), "anna")
    case = _due(make_case(office), 0)
    call_command("efile_resubmission_reminders", stdout=io.StringIO())
    [message] = mail.outbox
    assert f"{case.case_file.aktenzeichen} (seit " in message.body
    assert f"{site}/e-akte/vorgang/{case.pk}/" in message.body
