"""The supplier's upload page in a real browser: upload, see the verdict with findings, list; axe-core clean.

Works without JavaScript (the form is a plain multipart POST); checked with JavaScript off as well.
"""

from pathlib import Path

import pytest
from django.conf import settings

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, User
from rathaus.directory.models import Office

from .conftest import assert_accessible, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEITWEG_ID = "04011000-12348-91"  # BT-10 of the official reference invoice 01.04a


def _reference_invoice() -> bytes:
    path = (
        Path(settings.EINVOICE_STANDARDS_DIR)
        / "testsuite/xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_ubl.xml"
    )
    if not path.is_file():
        pytest.skip("official XRechnung test suite not found")
    return path.read_bytes()


@pytest.fixture
def supplier(transactional_db) -> User:
    Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    organisation = account_services.organisation_create(
        name="Bürobedarf Nord GmbH", kind=Organisation.Kind.COMPANY
    )
    return User.objects.create_user(
        username="lieferant", kind=User.Kind.ORGANISATION, organisation=organisation
    )


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_upload_accepted_and_rejected_invoices_without_axe_violations(
    new_page, supplier, live_server, tmp_path, javascript
):
    content = _reference_invoice()
    good = tmp_path / "rechnung.xml"
    good.write_bytes(content)
    broken = tmp_path / "rechnung-falsch.xml"
    broken.write_bytes(
        content.replace(b"<cbc:ID>1234/78/901</cbc:ID>", b"<cbc:ID>1234/78/902</cbc:ID>", 1).replace(
            b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">9'
        )
    )
    page = new_page(javascript=javascript, bypass_csp=True)
    log_in(page, supplier, live_server.url)

    # the upload page itself
    page.goto("/e-rechnung/einreichen/")
    assert page.get_by_role("heading", level=1).inner_text() == "E-Rechnung hochladen"
    if javascript:
        assert_accessible(page)

    # an empty submit shows the error summary
    page.get_by_role("button", name="Hochladen und prüfen").click()
    assert page.get_by_role("alert").first.is_visible()
    if javascript:
        assert_accessible(page)

    # a valid invoice: accepted, routed, with its lines
    page.get_by_label("Rechnungsdatei").set_input_files(str(good))
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.wait_for_url("**/e-rechnung/rechnung/*/")
    assert "Angenommen" in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("rowheader", name="Teilnahmegebühr").is_visible()
    if javascript:
        assert_accessible(page)
        screenshot(page, "einvoice-accepted")

    # a broken invoice: rejected, the findings name BR-CO-15 (once, beside the message) and where
    page.goto("/e-rechnung/einreichen/")
    page.get_by_label("Rechnungsdatei").set_input_files(str(broken))
    page.get_by_role("button", name="Hochladen und prüfen").click()
    page.wait_for_url("**/e-rechnung/rechnung/*/")
    assert "Abgelehnt" in page.get_by_role("alert").first.inner_text()
    finding = page.locator(".app-einvoice-finding", has_text="BR-CO-15").first
    assert finding.is_visible() and "Stelle in der Datei" in finding.inner_text()
    if javascript:
        assert_accessible(page)
        screenshot(page, "einvoice-rejected")

    # the list of own invoices
    page.goto("/e-rechnung/meine/")
    rows = page.get_by_role("row")
    assert rows.count() == 3  # header + two invoices
    if javascript:
        assert_accessible(page)
