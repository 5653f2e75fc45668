"""The order-and-pay journey in a real browser, without JavaScript: pick a parcel, order the
extract of the Liegenschaftskarte, pay in the sandbox, download the PDF; axe-core on every page."""

import pytest

from rathaus.accounts.models import User
from rathaus.kernel import notify

from .conftest import assert_accessible, log_in_citizen, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_pay_and_download_the_map_extract(new_page, live_server):
    from rathaus.cadastre import services as cadastre
    from rathaus.payments import demo

    demo.load_fee_schedule()
    demo.offices_ensure()
    cadastre.parcels_ensure(seed=3)
    citizen = User.objects.create_user(
        username="neu", first_name="Nora", last_name="Neumann", kind=User.Kind.CITIZEN
    )
    page = new_page(javascript=False)
    log_in_citizen(page, citizen, live_server.url, eidas_level=None)
    # axe-core needs JavaScript: a second page with the same session checks each page the
    # journey (without JavaScript) reaches.
    checker = new_page(bypass_csp=True)
    log_in_citizen(checker, citizen, live_server.url, eidas_level=None)

    def assert_accessible_here(page):
        checker.goto(page.url)
        assert_accessible(checker)

    page.goto("/liegenschaftskarte/?gemarkung=Findorff")
    assert_accessible_here(page)
    page.get_by_role("link", name="Gemarkung Findorff, Flur 3, Flurstück 10").click()
    assert page.locator("h1").inner_text() == "Gemarkung Findorff, Flur 3, Flurstück 10"
    assert_accessible_here(page)
    page.get_by_role("button", name="Kostenpflichtig bestellen").click()
    assert page.locator("h1").inner_text() == "Ihre Bestellung"
    assert_accessible_here(page)
    page.get_by_role("button", name="jetzt online bezahlen").click()
    assert page.locator("h1").inner_text() == "Sandbox-Zahlungsdienst"
    screenshot(page, "payments-sandbox")
    assert_accessible_here(page)
    page.get_by_role("button", name="Zahlung bestätigen").click()
    assert page.locator("h1").inner_text() == "Ihre Bestellung"
    assert "Vielen Dank für Ihre Zahlung" in page.locator("main").inner_text()
    assert_accessible_here(page)
    screenshot(page, "payments-order-fulfilled")
    with page.expect_download() as download:
        page.get_by_role("link", name="Auszug aus der Liegenschaftskarte herunterladen (PDF)").click()
    assert download.value.suggested_filename.startswith("liegenschaftskarte-")
    assert notify.postbox_messages(user=citizen).count() == 1
