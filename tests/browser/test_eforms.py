"""An online application in a real browser, as a citizen does it: from the service page through
every step (a mistake corrected, a partner added) to the submitted application, without
JavaScript, at desktop and phone width, axe clean on every page."""

import pytest

from rathaus.directory.models import Office, Service
from rathaus.eforms.models import Application
from rathaus.payments.tests.factories import make_citizen, setup_payments

from .conftest import assert_accessible, assert_fits_width, log_in_citizen, screenshot

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
