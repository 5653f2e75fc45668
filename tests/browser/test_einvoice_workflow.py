"""Issue 6's done-when for the authority, in a real browser: one clerk marks an invoice
"sachlich richtig", a colleague "rechnerisch richtig" and orders the payment, the export is
downloaded; the same clerk is refused the second check. axe-core clean on each page."""

from pathlib import Path

import pytest
from django.conf import settings

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, User
from rathaus.directory.models import Office
from rathaus.einvoice.models import InboundInvoice
from rathaus.einvoice.services import invoice_receive

from .conftest import assert_accessible, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEITWEG_ID = "04011000-12348-91"
PASSWORD = "Rechnungspruefung-2026!"


def _invoice() -> InboundInvoice:
    path = (
        Path(settings.EINVOICE_STANDARDS_DIR)
        / "testsuite/xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_ubl.xml"
    )
    if not path.is_file():
        pytest.skip(f"official XRechnung test suite not found in {settings.EINVOICE_STANDARDS_DIR}")
    organisation = account_services.organisation_create(
        name="Bürobedarf Nord GmbH", kind=Organisation.Kind.COMPANY
    )
    supplier = User.objects.create_user(
        username="lieferant", kind=User.Kind.ORGANISATION, organisation=organisation
    )
    return invoice_receive(
        content=path.read_bytes(), sender=organisation, channel="api", submitted_by=supplier
    )


def _clerk(office, name):
    return account_services.staff_user_create(
        username=name, full_name=f"Pia {name}", password=PASSWORD, office=office, role="sachbearbeitung"
    )


def test_two_clerks_approve_order_and_export_an_invoice(new_page, live_server):
    office = Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    invoice = _invoice()
    first, second = _clerk(office, "erechnung"), _clerk(office, "erechnung2")
    page = new_page(bypass_csp=True)

    log_in_staff(page, first, live_server.url)
    page.goto("/e-rechnung/eingang/")
    assert_accessible(page)
    page.get_by_role("link", name=invoice.invoice_number).click()
    assert_accessible(page)
    page.get_by_text("Sachliche Richtigkeit feststellen").click()
    page.get_by_role("button", name="Sachlich richtig").click()
    assert "Sachliche Richtigkeit festgestellt." in page.content()
    page.get_by_text("Rechnerische Richtigkeit feststellen").click()
    assert "Vier-Augen-Prinzip" in page.content()
    assert_accessible(page)
    screenshot(page, "einvoice-four-eyes")

    log_in_staff(page, second, live_server.url)
    page.goto(f"/e-rechnung/eingang/{invoice.pk}/")
    page.get_by_text("Rechnerische Richtigkeit feststellen").click()
    page.get_by_role("button", name="Rechnerisch richtig").click()
    page.get_by_role("button", name="Zahlung anordnen").click()
    assert "Zahlung angeordnet." in page.content()
    page.goto("/e-rechnung/eingang/")
    page.get_by_role("button", name="Zahlungen exportieren").click()
    assert "mit 1 Zahlung erstellt" in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="hkr-zahlungen-").first.click()
    text = Path(download.value.path()).read_text("utf-8")
    assert text.startswith("format;export_nr;anordnung_nr") and invoice.invoice_number in text
    screenshot(page, "einvoice-exported")
