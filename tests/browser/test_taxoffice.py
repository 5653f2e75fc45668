"""Tax return status in a real browser: the citizen sees the status and the expected date under
"Mein Konto", the tax office's clerk changes it with a note, the citizen sees the change and the
message; at desktop width without JavaScript and at phone width with axe."""

import datetime

import pytest

from rathaus.taxoffice.models import TaxReturn
from rathaus.taxoffice.tests import factories as f

from .conftest import assert_accessible, assert_fits_width, log_in_citizen, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, name, phone, javascript):
    if javascript:
        assert_accessible(page)
    if phone:
        assert_fits_width(page)
    screenshot(page, f"taxoffice-{name}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize(
    ("phone", "javascript"), [(False, False), (True, True)], ids=["desktop-without-javascript", "phone-axe"]
)
def test_citizen_sees_the_status_and_the_tax_office_changes_it(new_page, live_server, phone, javascript):
    w = f.world()
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person, year=2025, received_on=datetime.date(2026, 3, 2))
    page = new_page(phone=phone, javascript=javascript, bypass_csp=javascript)
    # the citizen: from "Mein Konto" to the return
    log_in_citizen(page, owner, live_server.url)
    page.goto("/mein-konto/")
    page.get_by_role("link", name="Meine Steuererklärungen").click()
    main = page.locator("main").inner_text()
    assert "Einkommensteuer 2025" in main and "2. März 2026" in main and "Eingegangen" in main
    assert "So wird das voraussichtliche Datum berechnet" in main
    _check(page, "mine", phone, javascript)
    # the clerk of the Finanzamt: list, return, status with a note
    log_in_staff(page, w.clerk, live_server.url)
    page.goto("/finanzamt/")
    _check(page, "staff-list", phone, javascript)
    page.get_by_role("link", name=row.reference).click()
    page.get_by_label("Rückfrage des Finanzamts").check()
    page.get_by_label("Notiz an die Steuerpflichtigen").fill("Bitte reichen Sie den Rentenbescheid nach.")
    _check(page, "staff-return", phone, javascript)
    page.get_by_role("button", name="Stand ändern und benachrichtigen").click()
    assert "Der Stand wurde geändert" in page.locator("main").inner_text()
    assert TaxReturn.objects.get(pk=row.pk).status == TaxReturn.Status.QUERY
    # the citizen: the message in the postbox leads to the return with its history
    log_in_citizen(page, owner, live_server.url)
    page.goto("/mein-konto/postfach/")
    page.get_by_role("link", name="Ihre Steuererklärung 2025: Rückfrage des Finanzamts").first.click()
    page.get_by_role("link", name="Stand ansehen").click()
    main = page.locator("main").inner_text()
    assert "Rückfrage des Finanzamts" in main and "Bitte reichen Sie den Rentenbescheid nach." in main
    _check(page, "detail", phone, javascript)
