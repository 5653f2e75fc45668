"""An online application in a real browser, as a citizen does it: from the service page through
every step (a mistake corrected, a partner added) to the submitted application, without
JavaScript, at desktop and phone width, axe clean on every page."""

import pytest

from rathaus.directory.models import Office, Service
from rathaus.eforms.models import Application
from rathaus.payments.tests.factories import make_citizen, setup_payments

from .conftest import assert_accessible, assert_fits_width, log_in_citizen, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _trade_office():
    setup_payments()
    office = Office.objects.create(slug="ordnungsamt", name="Ordnungsamt Bremen")
    service = Service.objects.create(
        leika_key="99050012104000", name="Gewerbeanmeldung", slug="gewerbe-anmelden", status="published"
    )
    service.offices.add(office)


def _check(page, name, phone, javascript):
    if javascript:  # axe runs as a script in the page
        assert_accessible(page)
    if phone:
        assert_fits_width(page)
    screenshot(page, f"eforms-{name}-{'phone' if phone else 'desktop'}")


def _fill(page, values):
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


@pytest.mark.parametrize(
    ("phone", "javascript"), [(False, False), (True, True)], ids=["desktop-without-javascript", "phone-axe"]
)
def test_a_citizen_registers_a_business_online(new_page, live_server, phone, javascript):
    _trade_office()
    page = new_page(phone=phone, javascript=javascript, bypass_csp=javascript)
    log_in_citizen(page, make_citizen(), live_server.url)
    page.goto("/leistungen/gewerbe-anmelden/")
    page.get_by_role("link", name="Online beantragen").click()
    assert "20,00" in page.locator("main").inner_text()
    _check(page, "start", phone, javascript)
    page.get_by_role("button", name="Antrag beginnen").click()
    # step 1, with a postcode typed wrong: the problem is named, nothing typed is lost
    person = {
        "familienname": "Deich", "vornamen": "Ada", "geschlecht": "w", "geburtsdatum": "1985-03-14",
        "geburtsort": "Bremen", "staatsangehoerigkeit": "deutsch", "strasse": "Am Wall 1",
        "plz": "2819", "ort": "Bremen",
    }  # fmt: skip
    _fill(page, person)
    page.get_by_role("button", name="Weiter", exact=True).click()
    summary = page.locator(".app-error-summary")
    assert "fünf Ziffern" in summary.inner_text()
    assert page.locator("[name='strasse']").input_value() == "Am Wall 1"
    _check(page, "error", phone, javascript)
    _fill(page, {"plz": "28195"})
    page.get_by_role("button", name="Weiter", exact=True).click()
    # step 2: the business
    _fill(page, {
        "rechtsform": "gbr", "betrieb_strasse": "Ostertorsteinweg 12", "betrieb_plz": "28203",
        "betrieb_ort": "Bremen", "taetigkeit": "Einzelhandel mit Backwaren", "beginn": "2030-01-01",
        "anlass": "neuerrichtung",
    })  # fmt: skip
    page.get_by_label("Handel", exact=True).check()
    _check(page, "betrieb", phone, javascript)
    page.get_by_role("button", name="Weiter", exact=True).click()
    # step 3: a second partner added with the button
    _fill(page, {"gesellschafter-0-familienname": "Deich", "gesellschafter-0-vornamen": "Bo",
                 "gesellschafter-0-geburtsdatum": "1984-07-01"})  # fmt: skip
    page.get_by_role("button", name="Weitere Angabe hinzufügen").click()
    assert page.locator("[name='gesellschafter-1-familienname']").count() == 1
    _fill(page, {"gesellschafter-1-familienname": "Meer", "gesellschafter-1-vornamen": "Cy",
                 "gesellschafter-1-geburtsdatum": "1990-02-02"})  # fmt: skip
    _check(page, "gesellschafter", phone, javascript)
    page.get_by_role("button", name="Weiter", exact=True).click()
    page.get_by_label("Ich versichere").check()
    page.get_by_role("button", name="Weiter", exact=True).click()
    # the summary, then the submitted application
    main = page.locator("main").inner_text()
    assert "Einzelhandel mit Backwaren" in main and "Meer" in main
    _check(page, "summary", phone, javascript)
    page.get_by_role("button", name="Antrag verbindlich absenden").click()
    application = Application.objects.get()
    assert application.status == Application.Status.AWAITING_PAYMENT
    assert application.reference in page.locator("main").inner_text()
    _check(page, "submitted", phone, javascript)
    page.get_by_role("link", name="Alle meine Anträge").click()
    assert application.reference in page.locator("main").inner_text()
    _check(page, "mine", phone, javascript)


@pytest.mark.parametrize(
    ("phone", "javascript"), [(False, False), (True, True)], ids=["desktop-without-javascript", "phone-axe"]
)
def test_the_office_asks_for_a_document_the_citizen_sends_it_and_gets_the_bescheid(
    new_page, live_server, phone, javascript
):
    import datetime

    from django.utils import timezone

    from rathaus.efile.tests.factories import make_case, make_staff
    from rathaus.kernel.pdf import text_pdf
    from rathaus.registers.models import Person

    office = Office.objects.create(
        slug="ordnungsamt",
        name="Ordnungsamt Bremen",
        street_address="Am Wall 1",
        postal_code="28195",
        city="Bremen",
    )
    clerk = make_staff(office, full_name="Tomke Ahlers")
    citizen = make_citizen("Ada")
    citizen.person = Person.objects.create(
        register_number="HBB000000001", family_name="Deich", given_names="Ada",
        date_of_birth=datetime.date(1985, 3, 14), sex="w",
    )  # fmt: skip
    citizen.save(update_fields=["person"])
    case = make_case(office, subject="Gewerbeanmeldung – Ada Deich (OA-2026-0000001)", source="eforms")
    application = Application.objects.create(
        form_id="gewerbeanmeldung", form_version=1, leika_key="99050012104000", title="Gewerbeanmeldung",
        applicant=citizen, status=Application.Status.SUBMITTED, reference="OA-2026-0000001", office=office,
        case_id=case.pk, submitted_at=timezone.now(),
    )  # fmt: skip
    page = new_page(phone=phone, javascript=javascript, bypass_csp=javascript)
    # the clerk asks for the permit from the case
    log_in_staff(page, clerk, live_server.url)
    page.goto(f"/e-akte/vorgang/{case.pk}/")
    page.get_by_role("link", name="Online-Antrag: Unterlagen nachfordern und entscheiden").click()
    page.get_by_label("Was fehlt?").fill("Bitte reichen Sie die Erlaubnis nach § 34c GewO nach.")
    page.get_by_label("Welche Unterlagen?").fill("Erlaubnis nach § 34c GewO")
    _check(page, "staff", phone, javascript)
    page.get_by_role("button", name="Rückfrage senden").click()
    assert "Postfach der Antragstellenden" in page.locator("main").inner_text()
    # the citizen opens the message and answers with the PDF
    log_in_citizen(page, citizen, live_server.url)
    page.goto("/mein-konto/postfach/")
    page.get_by_role("link", name="Rückfrage zu Ihrem Antrag").first.click()
    page.get_by_role("link", name="Rückfrage beantworten").click()
    page.get_by_label("Ihre Nachricht").fill("Anbei die Erlaubnis.")
    page.get_by_label("Dateien").set_input_files(
        {"name": "erlaubnis.pdf", "mimeType": "application/pdf", "buffer": text_pdf("Erlaubnis")}
    )
    _check(page, "answer", phone, javascript)
    page.get_by_role("button", name="Antwort senden").click()
    assert "Ihre Antwort ist eingegangen" in page.locator("main").inner_text()
    # the clerk approves; the citizen finds the Bescheid on the application page
    log_in_staff(page, clerk, live_server.url)
    page.goto(f"/e-akte/vorgang/{case.pk}/online-antrag/")
    assert "erlaubnis.pdf" in page.locator("main").inner_text()
    page.get_by_label("Bewilligen").check()
    page.get_by_role("button", name="Bescheid erstellen und zustellen").click()
    log_in_citizen(page, citizen, live_server.url)
    page.goto(f"/antrag/{application.public_id}/")
    main = page.locator("main").inner_text()
    assert "Bewilligt" in main and "Bescheid_" in main
    _check(page, "decided", phone, javascript)
