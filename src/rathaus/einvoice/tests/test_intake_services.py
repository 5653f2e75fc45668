"""Hybrid PDFs and UBL credit notes through the one receive path (``services.invoice_receive``)."""

from pathlib import Path

import pytest
from django.conf import settings

from rathaus.domain.einvoice.tests.pdfs import factur_x, hybrid_pdf
from rathaus.einvoice import reading, services
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel import blobs

from .conftest import LEITWEG_ID

pytestmark = pytest.mark.django_db

CREDIT_NOTE = "xrechnung-schematron-unit/ubl-cn/ubl-cn-br-de-1-test.xml"


def credit_note() -> bytes:
    """A valid XRechnung UBL CreditNote (KoSIT unit template) addressed to the test office.

    BT-10 is free text to the official rules, so replacing the Leitweg-ID keeps the verdict.
    """
    path = Path(settings.EINVOICE_STANDARDS_DIR) / "testsuite" / CREDIT_NOTE
    if not path.is_file():
        pytest.skip("official test suite not found")
    return path.read_bytes().replace(b"90000000-03083-12", LEITWEG_ID.encode())


def test_zugferd_pdf_is_validated_by_its_xml_and_the_pdf_is_the_stored_original(cii, supplier, office):
    # given a Factur-X PDF carrying the official reference invoice
    pdf = factur_x(cii)
    # when it is received
    invoice = services.invoice_receive(
        content=pdf,
        sender=supplier.organisation,
        channel=InboundInvoice.Channel.UPLOAD,
        submitted_by=supplier,
    )
    # then the XML was validated and routed, and the PDF bytes are kept unchanged
    assert invoice.status == InboundInvoice.Status.ACCEPTED
    assert invoice.office == office
    assert invoice.syntax == "CII"
    assert invoice.validation_report["container"] == "pdf"
    assert invoice.validation_report["embedded_filename"] == "factur-x.xml"
    assert blobs.read_bytes(invoice.blob) == pdf
    assert invoice.blob.content_type == "application/pdf"
    # and the readable view finds the XML inside the stored PDF
    assert reading.invoice_document(invoice).document.number == "1234/78/901"


def test_pdf_without_invoice_is_rejected_and_kept(supplier, office):
    """Tried: an ordinary PDF (no embedded XML); rejected with PDF-NO-XML, stored as evidence."""
    pdf = hybrid_pdf([("brief.txt", b"Sehr geehrte Damen und Herren")])
    invoice = services.invoice_receive(content=pdf, sender=supplier.organisation, channel="upload")
    assert invoice.status == InboundInvoice.Status.REJECTED
    assert invoice.rejection_rules == ["PDF-NO-XML"]
    assert blobs.read_bytes(invoice.blob) == pdf


def test_same_invoice_as_xml_and_as_pdf_is_a_duplicate(cii, supplier, office):
    """The PDF and the bare XML are different bytes but the same invoice (seller + number)."""
    services.invoice_receive(content=cii, sender=supplier.organisation, channel="api")
    second = services.invoice_receive(content=factur_x(cii), sender=supplier.organisation, channel="upload")
    assert second.rejection_rules == ["DUPLICATE"]


def test_ubl_credit_note_is_accepted_as_credit_note(supplier, office):
    invoice = services.invoice_receive(content=credit_note(), sender=supplier.organisation, channel="api")
    assert invoice.status == InboundInvoice.Status.ACCEPTED, invoice.rejection_reason
    assert invoice.scenario == "EN16931 XRechnung (UBL CreditNote)"
    assert invoice.invoice_number == "1234567"
    doc = reading.invoice_document(invoice).document
    assert doc.is_credit_note and len(doc.lines) == 2


def test_receive_records_the_notice_address(cii, office):
    """The e-mail intake passes the sender's address for the workflow's supplier notices."""
    invoice = services.invoice_receive(
        content=cii, sender=None, channel="email", notice_email="buchhaltung@example.org"
    )
    assert invoice.notice_email == "buchhaltung@example.org"
