"""The office works on a submitted online application: asks for a missing document through
the postbox, the citizen answers with an upload (filed into the case), the office decides and
the Bescheid PDF lands in the citizen's postbox (issue 14, "Rückfrage und Bescheid")."""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rathaus.efile.models import Case, CaseNote, Document
from rathaus.efile.tests.factories import make_office, make_staff
from rathaus.eforms import services
from rathaus.eforms.models import Application, InformationRequest
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput
from rathaus.kernel.models import AuditEntry, PostboxMessage
from rathaus.kernel.notify import NOTICE_SUBJECT
from rathaus.kernel.pdf import text_pdf
from rathaus.kernel.testing import log_in_staff
from rathaus.payments.models import FeeTariff
from rathaus.payments.tests.factories import citizen_login, make_citizen
from rathaus.registers.models import Person

from .conftest import LEIKA
from .test_journey import _complete, _start

pytestmark = pytest.mark.django_db


def _resident(name: str):
    """A citizen whose login belongs to a register person (the postbox needs one)."""
    user = make_citizen(name)
    user.person = Person.objects.create(
        register_number=f"HBE{user.pk:09d}",
        family_name="Deich",
        given_names=name,
        date_of_birth=datetime.date(1985, 3, 14),
        sex="w",
    )
    user.save(update_fields=["person"])
    return user


@pytest.fixture
def citizen(client, trade_office):
    user = _resident("Ada")
    citizen_login(client, user)
    return user


@pytest.fixture
def submitted(client, citizen, trade_office):
    """A Gewerbeanmeldung submitted by ``citizen`` (fee deferred, so the filing task, which tests
    run at once, files its case)."""
    FeeTariff.objects.filter(service_key=LEIKA).update(payment_policy="deferred")
    application = _start(client)
    _complete(client, application, with_permit=False)
    client.post(reverse("eforms:summary", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.case_id
    return application


@pytest.fixture
def clerk(trade_office):
    return make_staff(trade_office, full_name="Tomke Ahlers")


@pytest.fixture
def staff_client(clerk):
    return log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), clerk)


def _pdf_upload(name="nachweis.pdf", text="Erlaubnis nach § 34c GewO"):
    upload = io.BytesIO(text_pdf(text))
    upload.name = name
    return upload


def _ask(staff_client, application, **data):
    values = {
        "text": "Bitte reichen Sie die Erlaubnis nach § 34c GewO nach.",
        "documents": "Erlaubnis nach § 34c GewO",
        "deadline": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        **data,
    }
    return staff_client.post(reverse("eforms:staff-request", args=[application.case_id]), values)


def _answer(client, application, request, **data):
    url = reverse("eforms:answer", args=[application.public_id, request.pk])
    return client.post(url, {"text": "Anbei die Erlaubnis.", **data})


def _pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())  # the PDF breaks lines where it likes


def test_request_answer_and_decision_end_with_the_bescheid_in_the_postbox(
    client, citizen, submitted, staff_client, clerk, mailoutbox, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=submitted.case_id)
    citizen.email = "ada.deich@example.org"
    citizen.save(update_fields=["email"])
    # given the case page links to the online application's page
    page = staff_client.get(reverse("efile:case-detail", args=[case.pk])).content.decode()
    assert reverse("eforms:staff-application", args=[case.pk]) in page
    staff_page = staff_client.get(reverse("eforms:staff-application", args=[case.pk]))
    assert staff_page.status_code == 200 and "Unterlagen/Angaben nachfordern" in staff_page.content.decode()
    # when the clerk asks for the missing permit
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(staff_client, submitted).status_code == 302
    # then the application waits, the case has a note, the citizen a message with a link and an e-mail
    submitted.refresh_from_db()
    request = InformationRequest.objects.get()
    assert submitted.status == Application.Status.INFO_REQUESTED and request.asked_by == clerk
    assert "Frist" in CaseNote.objects.get(case=case).text
    message = PostboxMessage.objects.get(recipient=citizen, subject__startswith="Rückfrage")
    assert message.link_url == reverse("eforms:application", args=[submitted.public_id])
    assert "§ 34c GewO" in message.body and mailoutbox[-1].subject == NOTICE_SUBJECT
    shown = client.get(reverse("portal:postbox_message", args=[message.pk])).content.decode()
    assert "Rückfrage beantworten" in shown and message.link_url in shown
    detail = client.get(message.link_url).content.decode()
    assert "Bitte reichen Sie die Erlaubnis" in detail and "Antwort senden" in detail
    # when the citizen answers with the permit, twice (a double click)
    first = _answer(client, submitted, request, dateien=_pdf_upload())
    second = _answer(client, submitted, request, dateien=_pdf_upload())
    # then it is filed once into the case as an incoming document; the application is back in work
    assert first.status_code == 302
    assert second.status_code == 409 and "schon am" in second.content.decode()
    [filed] = Document.objects.filter(case=case, title="Nachgereicht: nachweis.pdf")
    assert filed.direction == Document.Direction.INCOMING
    request.refresh_from_db()
    submitted.refresh_from_db()
    assert request.answered_at and request.answer_files[0]["document"] == filed.pk
    assert submitted.status == Application.Status.SUBMITTED
    assert CaseNote.objects.filter(case=case, text__contains="Anbei die Erlaubnis.").exists()
    history = staff_client.get(reverse("efile:case-detail", args=[case.pk]) + "?tab=notizen").content.decode()
    assert "Anbei die Erlaubnis." in history
    # when the clerk approves
    decided = staff_client.post(
        reverse("eforms:staff-decide", args=[case.pk]), {"outcome": "approve", "text": "Auflage: keine."}
    )
    assert decided.status_code == 302
    # then the Bescheid is an outgoing PDF in the case and in the citizen's postbox
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.APPROVED and submitted.decided_at
    bescheid = Document.objects.get(case=case, direction=Document.Direction.OUTGOING)
    delivered = submitted.decision_message
    [attachment] = delivered.attachments.all()
    assert delivered.recipient == citizen and attachment.blob == bescheid.versions.get().blob
    download = client.get(reverse("portal:postbox_attachment", args=[delivered.pk, attachment.pk]))
    content = b"".join(download.streaming_content) if download.streaming else download.content
    assert download.status_code == 200 and content.startswith(b"%PDF")
    text = _pdf_text(content)
    assert "wird bewilligt" in text and submitted.reference in text and "Ordnungsamt Bremen" in text
    page = client.get(reverse("eforms:application", args=[submitted.public_id])).content.decode()
    assert "Bewilligt" in page and attachment.filename in page
    # and only the citizen gets it: another citizen does not
    other = Client()
    citizen_login(other, _resident("Edda"))
    assert (
        other.get(reverse("portal:postbox_attachment", args=[delivered.pk, attachment.pk])).status_code == 404
    )
    # and every step is audited on the application
    actions = set(
        AuditEntry.objects.filter(target_type="eforms.application", target_id=str(submitted.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "eforms.information_requested",
        "eforms.information_answered",
        "eforms.application_decided",
    } <= actions


def test_deciding_twice_is_refused_and_a_rejection_needs_its_reason(submitted, staff_client):
    url = reverse("eforms:staff-decide", args=[submitted.case_id])
    refused = staff_client.post(url, {"outcome": "reject", "text": ""})
    assert refused.status_code == 400 and "Bitte begründen Sie die Ablehnung" in refused.content.decode()
    assert (
        staff_client.post(
            url, {"outcome": "reject", "text": "Die Tätigkeit ist nicht erlaubnisfähig."}
        ).status_code
        == 302
    )
    again = staff_client.post(url, {"outcome": "approve", "text": ""})
    # the page no longer offers the form; a second post is refused with its reason
    assert again.status_code == 400 and "schon entschieden" in again.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.REJECTED
    assert Document.objects.filter(case_id=submitted.case_id, direction="outgoing").count() == 1
    assert PostboxMessage.objects.filter(subject__startswith="Bescheid").count() == 1
    text = _pdf_text(blobs.read_bytes(submitted.decision_message.attachments.get().blob))
    assert "wird abgelehnt" in text and "nicht erlaubnisfähig" in text


def test_a_deadline_in_the_past_and_a_second_open_request_are_refused(submitted, staff_client):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    past = _ask(staff_client, submitted, deadline=yesterday)
    assert past.status_code == 400 and "nicht in der Vergangenheit" in past.content.decode()
    assert not InformationRequest.objects.exists()
    assert _ask(staff_client, submitted).status_code == 302
    second = _ask(staff_client, submitted)
    assert second.status_code == 400 and "schon eine Rückfrage offen" in second.content.decode()
    assert InformationRequest.objects.count() == 1


def test_the_form_proposes_a_deadline_in_fourteen_days(submitted, staff_client):
    page = staff_client.get(reverse("eforms:staff-application", args=[submitted.case_id])).content.decode()
    assert (timezone.localdate() + datetime.timedelta(days=14)).isoformat() in page


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("liste.txt", b"nur Text", "nicht erlaubtes Format"),
        ("gross.pdf", b"%PDF-1.4\n" + b"0" * 10_000_001, "größer als 10,0 MB"),
        ("leer.pdf", b"", "leer"),
    ],
)
def test_a_bad_file_refuses_the_answer_and_keeps_the_request_open(
    client, submitted, staff_client, name, content, expected
):
    _ask(staff_client, submitted)
    request = InformationRequest.objects.get()
    documents = Document.objects.filter(case_id=submitted.case_id).count()
    upload = io.BytesIO(content)
    upload.name = name
    response = _answer(client, submitted, request, text="Mein Text bleibt", dateien=upload)
    body = response.content.decode()
    assert response.status_code == 400 and expected in body and "Mein Text bleibt" in body
    request.refresh_from_db()
    assert request.is_open and Document.objects.filter(case_id=submitted.case_id).count() == documents


def test_an_empty_answer_is_refused(client, submitted, staff_client):
    _ask(staff_client, submitted)
    request = InformationRequest.objects.get()
    response = _answer(client, submitted, request, text="  ")
    assert response.status_code == 400 and "Bitte schreiben Sie eine Nachricht" in response.content.decode()


def test_a_request_closed_by_the_decision_cannot_be_answered(client, submitted, staff_client):
    _ask(staff_client, submitted)
    request = InformationRequest.objects.get()
    staff_client.post(
        reverse("eforms:staff-decide", args=[submitted.case_id]),
        {"outcome": "reject", "text": "Frist versäumt."},
    )
    request.refresh_from_db()
    assert request.closed_at and not request.is_open
    response = _answer(client, submitted, request, dateien=_pdf_upload())
    assert (
        response.status_code == 409 and "Über Ihren Antrag ist schon entschieden" in response.content.decode()
    )
    assert not Document.objects.filter(title__startswith="Nachgereicht").exists()


def test_another_citizen_and_another_office_are_refused(client, submitted, staff_client, trade_office):
    _ask(staff_client, submitted)
    request = InformationRequest.objects.get()
    stranger = Client()
    citizen_login(stranger, make_citizen("Edda"))
    assert stranger.get(reverse("eforms:application", args=[submitted.public_id])).status_code == 404
    assert _answer(stranger, submitted, request, dateien=_pdf_upload()).status_code == 404
    other_clerk = log_in_staff(Client(), make_staff(make_office(name="Bürgeramt Nord")))
    case_id = submitted.case_id
    assert other_clerk.get(reverse("eforms:staff-application", args=[case_id])).status_code == 404
    assert (
        other_clerk.post(reverse("eforms:staff-decide", args=[case_id]), {"outcome": "approve"}).status_code
        == 404
    )
    assert _ask(other_clerk, submitted).status_code == 404
    request.refresh_from_db()
    submitted.refresh_from_db()
    assert request.is_open and submitted.status == Application.Status.INFO_REQUESTED
    # a citizen is no staff
    assert client.get(reverse("eforms:staff-application", args=[case_id])).status_code in (302, 403, 404)


def test_services_refuse_staff_outside_the_case_office(submitted, trade_office):
    case = Case.objects.get(pk=submitted.case_id)
    outsider = make_staff(make_office())
    with pytest.raises(Exception, match="nicht sehen"):
        services.application_decide(application=submitted, case=case, outcome="approve", text="", by=outsider)
    clerk = make_staff(trade_office)
    with pytest.raises(InvalidInput):
        services.information_request_create(
            application=submitted, case=case, text="", deadline=timezone.localdate(), by=clerk
        )
    services.application_decide(application=submitted, case=case, outcome="approve", text="", by=clerk)
    with pytest.raises(Conflict):
        services.information_request_create(
            application=submitted, case=case, text="Noch etwas", deadline=timezone.localdate(), by=clerk
        )
