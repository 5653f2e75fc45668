"""A citizen applies online: steps kept even with errors, groups without JavaScript, files
checked, a summary, one submission however often the button is pressed, and the case with
every document in the trade office's E-Akte, the receipt in the postbox, the fee's claim."""

import hashlib
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from rathaus.efile.models import Case
from rathaus.eforms import services
from rathaus.eforms.models import Application
from rathaus.kernel import blobs, xmlsafe
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.models import PostboxMessage
from rathaus.kernel.pdf import text_pdf
from rathaus.payments.models import Claim, FeeTariff
from rathaus.payments.tests.factories import citizen_login, make_citizen

from .conftest import LEIKA

pytestmark = pytest.mark.django_db

PERSON = {
    "familienname": "Deich",
    "vornamen": "Ada",
    "geschlecht": "w",
    "geburtsdatum": "1985-03-14",
    "geburtsort": "Bremen",
    "staatsangehoerigkeit": "deutsch",
    "strasse": "Am Wall 1",
    "plz": "28195",
    "ort": "Bremen",
}
BETRIEB = {
    "rechtsform": "gbr",
    "betriebsname": "Deich & Deich Backwaren",
    "betrieb_strasse": "Ostertorsteinweg 12",
    "betrieb_plz": "28203",
    "betrieb_ort": "Bremen",
    "taetigkeit": "Einzelhandel mit Backwaren",
    "betriebsart": ["handel", "handwerk"],
    "beginn": "2030-01-01",
    "anlass": "neuerrichtung",
}


def _start(client):
    response = client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    application = Application.objects.get()
    assert response.url == reverse("eforms:step", args=[application.public_id, "person"])
    return application


def _step(client, application, step, data, **extra):
    return client.post(reverse("eforms:step", args=[application.public_id, step]), data, **extra)


def test_the_start_page_names_office_fee_and_steps(client, trade_office):
    page = client.get(reverse("eforms:start", args=["gewerbeanmeldung"])).content.decode()
    assert "Ordnungsamt Bremen" in page and "20,00\xa0€" in page and "Angaben zum Betrieb" in page


def test_starting_needs_a_login_and_a_second_start_resumes_the_draft(client, trade_office):
    anonymous = client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    assert anonymous.status_code == 302 and "anmelden" in anonymous.url
    citizen_login(client, make_citizen())
    first = _start(client)
    client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    assert Application.objects.get() == first


def test_a_step_with_errors_keeps_what_was_typed_and_names_each_problem(client, citizen):
    application = _start(client)
    response = _step(client, application, "person", {**PERSON, "plz": "2819", "geburtsdatum": "2015-01-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Bitte geben Sie eine Postleitzahl mit fünf Ziffern ein" in page
    assert "mindestens 18 Jahre alt" in page
    assert 'href="#id_plz"' in page and 'value="Am Wall 1"' in page
    application.refresh_from_db()
    assert application.raw["person"]["strasse"] == ["Am Wall 1"] and application.completed_steps == []


def test_a_skipped_step_cannot_be_submitted(client, citizen):
    application = _start(client)
    assert _step(client, application, "person", PERSON).status_code == 302
    response = client.post(reverse("eforms:summary", args=[application.public_id]))
    assert response.url == reverse("eforms:step", args=[application.public_id, "betrieb"])
    assert Application.objects.get().is_draft and not Case.objects.exists()


def test_partners_are_added_and_removed_without_javascript(client, citizen):
    application = _start(client)
    _step(client, application, "person", PERSON)
    _step(client, application, "betrieb", BETRIEB)
    url = reverse("eforms:step", args=[application.public_id, "gesellschafter"])
    client.post(url, {"action": "add:gesellschafter"})
    client.post(url, {"gesellschafter-0-familienname": "Deich", "action": "add:gesellschafter"})
    page = client.get(url).content.decode()
    assert 'name="gesellschafter-1-familienname"' in page and 'value="Deich"' in page
    client.post(url, {"gesellschafter-0-familienname": "Deich", "action": "remove:gesellschafter:1"})
    assert 'name="gesellschafter-1-familienname"' not in client.get(url).content.decode()


def test_a_file_of_the_wrong_type_is_refused_with_its_name(client, citizen):
    application = _start(client)
    _step(client, application, "person", PERSON)
    upload = io.BytesIO(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;")
    upload.name = "erlaubnis.gif"
    response = _step(client, application, "betrieb", {**BETRIEB, "erlaubnis": upload})
    assert response.status_code == 400
    assert "„erlaubnis.gif“ hat ein nicht erlaubtes Format" in response.content.decode()
    assert not application.attachments.exists()


def _complete(client, application, with_permit=True):
    _step(client, application, "person", PERSON)
    data = dict(BETRIEB)
    if with_permit:
        upload = io.BytesIO(text_pdf("Erlaubnis nach § 34c GewO"))
        upload.name = "erlaubnis.pdf"
        data["erlaubnis"] = upload
    assert _step(client, application, "betrieb", data).status_code == 302
    partners = {
        "gesellschafter-0-familienname": "Deich",
        "gesellschafter-0-vornamen": "Bo",
        "gesellschafter-0-geburtsdatum": "1984-07-01",
    }
    assert _step(client, application, "gesellschafter", partners).status_code == 302
    return _step(client, application, "erklaerung", {"richtig": "on"})


def _documents(case):
    return sorted(case.documents.values_list("title", flat=True))


def test_submitting_waits_for_the_fee_then_files_the_case_with_every_document_once(
    client, citizen, trade_office, django_capture_on_commit_callbacks
):
    # given a complete application
    application = _start(client)
    assert _complete(client, application).url == reverse("eforms:summary", args=[application.public_id])
    summary = client.get(reverse("eforms:summary", args=[application.public_id])).content.decode()
    assert "Handel, Handwerk" in summary and "01.01.2030" in summary
    assert "Gesellschafterin oder Gesellschafter 1: Vornamen" in summary
    # when the button is pressed twice
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("eforms:summary", args=[application.public_id]))
        second = client.post(reverse("eforms:summary", args=[application.public_id]))
    # then one submission and one claim; the fee must be paid first (policy "mandatory")
    application.refresh_from_db()
    assert first.url == second.url == reverse("eforms:application", args=[application.public_id])
    assert application.status == Application.Status.AWAITING_PAYMENT and application.reference.startswith(
        "OA-"
    )
    assert not Case.objects.exists()
    claim = Claim.objects.get()
    assert (
        application.claim == claim and str(claim.amount) == "20.00" and claim.product == "eforms.application"
    )
    [receipt] = PostboxMessage.objects.filter(recipient=citizen)
    assert (
        application.reference in receipt.subject and "Bitte bezahlen Sie die Gebühr von 20,00" in receipt.body
    )
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(blobs.read_bytes(application.pdf))).pages
    )
    assert "Einzelhandel mit Backwaren" in text and application.sha256 in text
    detail = client.get(first.url).content.decode()
    assert (
        application.reference in detail and claim.kassenzeichen in detail and "Wartet auf Zahlung" in detail
    )
    # when the citizen pays in the sandbox
    pay = client.post(reverse("payments:pay", args=[claim.kassenzeichen]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(pay.url, {"mode": "normal", "decision": "approve"})
    # then the case is at the trade office with the PDF, the data and the attachment
    application.refresh_from_db()
    case = Case.objects.get()
    assert application.status == Application.Status.SUBMITTED and application.case_id == case.pk
    assert case.office == trade_office and case.source == "eforms"
    expected = [
        f"Online-Antrag {application.reference}",
        "Antragsdaten (maschinenlesbar)",
        "XGewerbeanzeige-Nachricht",
        "erlaubnis.pdf",
    ]
    assert _documents(case) == sorted(expected)
    export = case.documents.get(title="Antragsdaten (maschinenlesbar)").versions.get()
    body = blobs.read_bytes(export.blob)
    assert hashlib.sha256(body).hexdigest() == application.sha256
    assert json.loads(body)["data"]["gesellschafter"][0]["vornamen"] == "Bo"
    # and paying again (a retried delivery) files nothing twice
    services.application_fulfil_for_claim(claim_id=claim.pk)
    assert Case.objects.count() == 1


def _attachment_queries(queries):
    return [q["sql"] for q in queries if 'FROM "eforms_attachment"' in q["sql"]]


def test_the_summary_and_the_submit_read_the_attachments_of_every_step_in_one_query(
    client, citizen, trade_office
):
    # given a complete application of four steps, one with a file
    FeeTariff.objects.filter(service_key=LEIKA).update(payment_policy="deferred")
    application = _start(client)
    _complete(client, application)
    summary = reverse("eforms:summary", args=[application.public_id])
    # when the summary is shown and submitted
    with CaptureQueriesContext(connection) as shown:
        assert "erlaubnis.pdf" in client.get(summary).content.decode()
    with CaptureQueriesContext(connection) as submitted:
        assert client.post(summary).status_code == 302
    # then the files are read once per page (and once more under the submit's lock, once by the
    # filing task, which tests run at once), not per step
    assert len(_attachment_queries(shown.captured_queries)) == 1
    assert len(_attachment_queries(submitted.captured_queries)) == 3
    application.refresh_from_db()
    assert application.data["erlaubnis"][0]["filename"] == "erlaubnis.pdf"


def test_without_payment_first_the_case_is_filed_at_once(client, citizen, trade_office):
    FeeTariff.objects.filter(service_key=LEIKA).update(payment_policy="deferred")
    application = _start(client)
    _complete(client, application, with_permit=False)
    client.post(reverse("eforms:summary", args=[application.public_id]))
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    case = Case.objects.get(pk=application.case_id)
    assert _documents(case) == sorted(
        [
            f"Online-Antrag {application.reference}",
            "Antragsdaten (maschinenlesbar)",
            "XGewerbeanzeige-Nachricht",
        ]
    )
    assert application.claim.product == ""
    # the XGewerbeanzeige message carries the application's reference, office and data
    version = case.documents.get(title="XGewerbeanzeige-Nachricht").versions.get()
    message = xmlsafe.parse(blobs.read_bytes(version.blob))
    ns = {"xga": "http://www.xgewerbeanzeige.de/spezifikation/2.2"}
    assert message.tag == "{http://www.xgewerbeanzeige.de/spezifikation/2.2}abh.gewerbemeldung.0500"
    assert (
        message.findtext("xga:satz/xga:anmeldung/xga:gemeindeMeldungNr", namespaces=ns)
        == application.reference
    )
    assert (
        message.findtext("xga:nachrichtenkopf/xga:autor/xga:behoerdenname", namespaces=ns)
        == "Ordnungsamt Bremen"
    )
    names = message.xpath("//xga:beteiligtePerson/xga:vorname/text()", namespaces=ns)
    assert names == ["Ada", "Bo"]
    assert version.filename == f"{application.reference}-xgewerbeanzeige.xml"


def test_a_submitted_application_cannot_be_changed(client, citizen):
    application = _start(client)
    _complete(client, application, with_permit=False)
    client.post(reverse("eforms:summary", args=[application.public_id]))
    response = _step(client, application, "person", {**PERSON, "familienname": "Anders"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.data["familienname"] == "Deich"
    with pytest.raises(Conflict):
        services.application_step_save(application=application, step_id="person", raw={}, by=citizen)


def test_someone_elses_application_is_not_found(client, citizen):
    application = _start(client)
    client.logout()
    citizen_login(client, make_citizen("Tom"))
    assert client.get(reverse("eforms:step", args=[application.public_id, "person"])).status_code == 404
    assert client.get(reverse("eforms:summary", args=[application.public_id])).status_code == 404


def test_save_and_resume_lists_the_draft_in_mein_konto(client, citizen):
    application = _start(client)
    response = _step(client, application, "person", {**PERSON, "action": "save"})
    assert response.url == reverse("eforms:mine") + "?gespeichert=1"
    page = client.get(response.url).content.decode()
    assert "Ihre Angaben sind gespeichert" in page and str(application.public_id) in page


def test_the_service_page_links_to_the_online_form(client, trade_office):
    page = client.get(reverse("portal:service", args=["gewerbe-anmelden"])).content.decode()
    link = reverse("eforms:start", args=["gewerbeanmeldung"])
    assert f'href="{link}"' in page and "Online beantragen" in page


def test_the_form_speaks_english_when_the_page_does(client, citizen):
    application = _start(client)
    with translation.override("en"):
        page = client.get(
            reverse("eforms:step", args=[application.public_id, "person"]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert "Family name" in page and "Step 1 of 4" in page and "Familienname" not in page


def test_prefill_takes_the_own_register_entry_into_empty_fields_only(client, trade_office):
    import datetime

    from rathaus.accounts.models import User
    from rathaus.registers.models import Address, Person

    address = Address.objects.create(street="Alte Hafenstraße", house_number="2", postal_code="28757")
    person = Person.objects.create(
        register_number="HB000777001", family_name="Winter", given_names="Frieda", birth_name="Gerdes",
        date_of_birth=datetime.date(1996, 9, 20), place_of_birth="Hannover", sex="w", nationality="DEU",
        address=address,
    )  # fmt: skip
    user = User.objects.create_user(
        username="frieda", kind=User.Kind.CITIZEN, person=person, email="f@example.org"
    )
    citizen_login(client, user)
    application = _start(client)
    # when she has typed her given names differently and asks for her register data
    response = _step(client, application, "person", {"vornamen": "Frieda Marie", "action": "prefill"})
    # then the empty fields are filled, what she typed stays, and she is told how many
    assert response.url.endswith("?uebernommen=9")
    raw = Application.objects.get().raw["person"]
    assert raw["familienname"] == ["Winter"] and raw["vornamen"] == ["Frieda Marie"]
    assert raw["geburtsdatum"] == ["1996-09-20"] and raw["geschlecht"] == ["w"]
    assert raw["strasse"] == ["Alte Hafenstraße 2"] and raw["plz"] == ["28757"] and raw["ort"] == ["Bremen"]
    assert raw["email"] == ["f@example.org"]
    page = client.get(response.url).content.decode()
    assert (
        "9 Felder wurden aus Ihrem Eintrag im Melderegister ausgefüllt" in page and 'value="Winter"' in page
    )
    assert _step(client, application, "person", {**raw, "action": "next"}).status_code == 302


def test_prefill_without_a_register_entry_fills_only_the_account(client, citizen):
    application = _start(client)
    response = _step(client, application, "person", {"action": "prefill"})
    expected = 1 if citizen.email else 0
    assert response.url.endswith(f"?uebernommen={expected}")
