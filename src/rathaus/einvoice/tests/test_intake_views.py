"""Supplier upload page, own invoice list and the readable view (HTML, PDF, original, attachments)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rathaus.accounts.models import StaffRole, User
from rathaus.directory.models import Office
from rathaus.domain.einvoice.tests.pdfs import factur_x
from rathaus.einvoice import services
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel.models import AuditEntry
from rathaus.kernel.testing import log_in_staff

from .conftest import make_supplier

pytestmark = pytest.mark.django_db


def _staff(client, office: Office, username: str = "sachbearbeitung") -> User:
    """A staff session that passed the second factor, with a clerk role in ``office``."""
    user = User.objects.create_user(username=username, kind=User.Kind.STAFF)
    StaffRole.objects.create(user=user, office=office, role=StaffRole.Role.SACHBEARBEITUNG)
    log_in_staff(client, user)
    return user


def _upload(client, name: str, content: bytes):
    return client.post(reverse("einvoice_intake:upload"), {"file": SimpleUploadedFile(name, content)})


def test_upload_page_needs_an_organisation_login(client, supplier):
    response = client.get(reverse("einvoice_intake:upload"))
    assert response.status_code == 302 and reverse("accounts:staff-login") in response["Location"]
    staff = User.objects.create_user(username="mitarbeiterin", kind=User.Kind.STAFF)
    client.force_login(staff)
    assert client.get(reverse("einvoice_intake:upload")).status_code == 403
    client.force_login(supplier)
    assert client.get(reverse("einvoice_intake:upload")).status_code == 200


def test_upload_of_a_valid_invoice_shows_accepted(client, supplier, office, ubl):
    client.force_login(supplier)
    response = _upload(client, "rechnung.xml", ubl)
    invoice = InboundInvoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("einvoice_intake:invoice", args=[invoice.pk])
    assert invoice.channel == InboundInvoice.Channel.UPLOAD and invoice.sender == supplier.organisation
    page = client.get(response["Location"]).content.decode()
    assert "Angenommen" in page and office.name in page
    assert "Teilnahmegebühr" in page  # the invoice line
    assert "120,00\xa0€" in page and "EUR" not in page.split("Währung")[0]


def test_upload_of_a_broken_invoice_shows_each_finding_in_plain_language(client, supplier, office, ubl):
    client.force_login(supplier)
    broken = ubl.replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">9'
    )
    page = client.get(_upload(client, "rechnung.xml", broken)["Location"]).content.decode()
    assert "Abgelehnt" in page
    assert "BR-CO-15" in page  # rule ID
    assert "Rechen- bzw. Konsistenzregel" in page  # plain-language family
    assert "LegalMonetaryTotal" in page  # location as a short path
    assert "Fehler" in page  # severity


def test_upload_of_a_zugferd_pdf(client, supplier, office, cii):
    client.force_login(supplier)
    page = client.get(_upload(client, "rechnung.pdf", factur_x(cii))["Location"]).content.decode()
    assert "Angenommen" in page and "ZUGFeRD" in page


def test_empty_upload_shows_the_error_at_the_field(client, supplier):
    """Tried: an empty file and no file at all."""
    client.force_login(supplier)
    response = _upload(client, "leer.xml", b"")
    assert response.status_code == 400
    assert "leer" in response.content.decode()
    missing = client.post(reverse("einvoice_intake:upload"), {})
    assert missing.status_code == 400
    assert 'aria-invalid="true"' in missing.content.decode()
    assert not InboundInvoice.objects.exists()


def test_supplier_sees_only_own_invoices(client, supplier, office, ubl, cii):
    other = make_supplier("Konkurrenz Handel AG")
    mine = services.invoice_receive(content=ubl, sender=supplier.organisation, channel="upload")
    theirs = services.invoice_receive(
        content=cii.replace(b"1234/78/901", b"999"), sender=other.organisation, channel="upload"
    )
    client.force_login(supplier)
    listing = client.get(reverse("einvoice_intake:mine")).content.decode()
    assert reverse("einvoice_intake:invoice", args=[mine.pk]) in listing
    assert reverse("einvoice_intake:invoice", args=[theirs.pk]) not in listing
    for name in ("invoice", "invoice-pdf", "invoice-original"):
        assert client.get(reverse(f"einvoice_intake:{name}", args=[theirs.pk])).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied", target_id=str(theirs.pk)).exists()


def test_staff_of_the_receiving_office_read_it_and_the_read_is_audited(client, supplier, office, ubl):
    invoice = services.invoice_receive(content=ubl, sender=supplier.organisation, channel="upload")
    clerk = _staff(client, office)
    assert client.get(reverse("einvoice_intake:invoice", args=[invoice.pk])).status_code == 200
    read = AuditEntry.objects.filter(action__endswith=".read", actor_id=str(clerk.pk)).get()
    assert read.purpose


def test_staff_of_another_office_get_404(client, supplier, office, ubl):
    invoice = services.invoice_receive(content=ubl, sender=supplier.organisation, channel="upload")
    elsewhere = Office.objects.create(slug="bau", name="Bauamt")
    _staff(client, elsewhere, username="bauamt")
    assert client.get(reverse("einvoice_intake:invoice", args=[invoice.pk])).status_code == 404


def test_pdf_rendering_and_original_download(client, supplier, office, cii):
    pdf_original = factur_x(cii)
    invoice = services.invoice_receive(content=pdf_original, sender=supplier.organisation, channel="upload")
    client.force_login(supplier)
    rendered = client.get(reverse("einvoice_intake:invoice-pdf", args=[invoice.pk]))
    assert rendered["Content-Type"] == "application/pdf"
    assert rendered.content.startswith(b"%PDF-")
    original = client.get(reverse("einvoice_intake:invoice-original", args=[invoice.pk]))
    assert b"".join(original.streaming_content) == pdf_original
    assert original["Content-Type"] == "application/octet-stream"


def test_embedded_attachment_is_downloadable_never_inline(client, office, settings):
    """Reference invoice with BG-24 attachments: each is offered as a download (never rendered)."""
    from pathlib import Path

    from rathaus.domain.einvoice import parse_secure
    from rathaus.domain.einvoice.document import read_invoice_document

    suite = Path(settings.EINVOICE_STANDARDS_DIR) / "testsuite" / "xrechnung-testsuite"
    path = next(
        p
        for p in sorted(suite.rglob("*_ubl.xml"))
        if any(a.content for a in read_invoice_document(parse_secure(p.read_bytes())).attachments)
    )
    supplier = make_supplier("Anlagen GmbH")
    # Receive as rejected or accepted, the submitting organisation may read its own document.
    invoice = services.invoice_receive(
        content=path.read_bytes(), sender=supplier.organisation, channel="upload"
    )
    client.force_login(supplier)
    page = client.get(reverse("einvoice_intake:invoice", args=[invoice.pk])).content.decode()
    url = reverse("einvoice_intake:invoice-attachment", args=[invoice.pk, 1])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get(reverse("einvoice_intake:invoice-attachment", args=[invoice.pk, 99])).status_code == 404
