"""Receiving e-invoices: validation, unchanged storage, routing by Leitweg-ID, duplicates, audit."""

import pytest

from rathaus.einvoice.models import InboundInvoice
from rathaus.einvoice.services import InvoiceTooLarge, invoice_receive
from rathaus.kernel import audit, blobs

from .conftest import LEITWEG_ID

pytestmark = pytest.mark.django_db


def _receive(content, supplier, channel="api"):
    return invoice_receive(
        content=content, sender=supplier.organisation, channel=channel, submitted_by=supplier
    )


def test_valid_ubl_invoice_is_accepted_routed_stored_and_audited(ubl, supplier, office):
    """A valid XRechnung goes to the office of its Leitweg-ID; the original bytes are kept unchanged."""
    invoice = _receive(ubl, supplier)
    assert invoice.status == InboundInvoice.Status.ACCEPTED
    assert invoice.office == office
    assert (invoice.syntax, invoice.invoice_number, invoice.leitweg_id) == ("UBL", "1234/78/901", LEITWEG_ID)
    invoice.refresh_from_db()
    assert str(invoice.total_with_vat) == "120.00"
    assert invoice.rule_set_version.startswith("Validator Configuration XRechnung 3.0.2")
    assert blobs.read_bytes(invoice.blob) == ubl
    entry = audit.entries_for_target("einvoice.inboundinvoice", invoice.pk).first()
    assert entry.action == "einvoice.accepted"
    assert entry.details["sha256"] == invoice.blob.sha256


def test_valid_cii_invoice_is_accepted(cii, supplier, office):
    """The CII syntax is accepted the same way."""
    invoice = _receive(cii, supplier, channel="upload")
    assert (invoice.status, invoice.syntax, invoice.office) == ("accepted", "CII", office)


def test_invoice_breaking_business_rules_is_rejected_with_rule_ids(ubl, supplier, office):
    """A wrong total with VAT is rejected naming BR-CO-15 and is still stored."""
    broken = ubl.replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">99'
    )
    assert broken != ubl
    invoice = _receive(broken, supplier)
    assert invoice.status == InboundInvoice.Status.REJECTED
    assert "BR-CO-15" in invoice.rejection_rules
    assert "BR-CO-15" in invoice.rejection_reason
    assert blobs.read_bytes(invoice.blob) == broken
    assert audit.entries_for_target("einvoice.inboundinvoice", invoice.pk).get().action == "einvoice.rejected"


def test_unknown_leitweg_id_is_rejected_with_a_precise_notice(ubl, supplier, office):
    """A well-formed Leitweg-ID that no office uses is rejected and named in the notice."""
    other = "04011000-1234512345-06"
    invoice = _receive(ubl.replace(LEITWEG_ID.encode(), other.encode()), supplier)
    assert invoice.status == "rejected"
    assert invoice.rejection_rules == ["LEITWEG-ID-UNKNOWN"]
    assert other in invoice.rejection_reason
    assert invoice.office is None


def test_leitweg_id_with_wrong_check_digit_is_rejected(ubl, supplier, office):
    """The check digit of the Leitweg-ID is verified (MOD 97-10), not only looked up."""
    invoice = _receive(ubl.replace(LEITWEG_ID.encode(), b"04011000-12348-92"), supplier)
    assert invoice.rejection_rules == ["LEITWEG-ID"]
    assert "Prüfziffer" in invoice.rejection_reason


def test_same_invoice_twice_is_recognised_as_duplicate(ubl, cii, supplier, office):
    """The same bytes, or the same seller and invoice number in the other syntax, are not processed twice."""
    first = _receive(ubl, supplier)
    again = _receive(ubl, supplier, channel="email")
    twin = _receive(cii, supplier)
    assert first.status == "accepted"
    for duplicate in (again, twin):
        assert duplicate.status == "rejected"
        assert duplicate.rejection_rules == ["DUPLICATE"]
        assert duplicate.duplicate_of == first
    assert InboundInvoice.objects.filter(status="accepted").count() == 1


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"Dies ist keine Rechnung.", "XML-WELLFORMED"),
        (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "XML-DOCTYPE"),
        (b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>", "NO-SCENARIO"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "NO-SCENARIO"),
        (b"<html><body>Rechnung</body></html>", "NO-SCENARIO"),
    ],
)
def test_non_invoices_are_rejected_and_kept(content, rule, supplier, office):
    """Not XML, a DTD payload or a foreign document is rejected with a pseudo rule; the bytes are kept."""
    invoice = _receive(content, supplier)
    assert invoice.status == "rejected"
    assert invoice.rejection_rules == [rule]
    assert blobs.read_bytes(invoice.blob) == content


def test_oversized_file_is_refused_without_storing(supplier, office):
    """A file over the limit is refused with the limit in the message and nothing is stored."""
    with pytest.raises(InvoiceTooLarge, match="höchstens"):
        invoice_receive(content=b"<a/>" + b" " * 3000, sender=None, channel="api", max_bytes=2000)
    assert not InboundInvoice.objects.exists()
