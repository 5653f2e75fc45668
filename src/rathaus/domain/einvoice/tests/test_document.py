"""The readable invoice (all business terms for display) and the plain-language help for findings."""

import dataclasses
from decimal import Decimal

import pytest

from rathaus.domain.einvoice import document, parse_secure
from rathaus.domain.einvoice.document import read_invoice_document
from rathaus.domain.einvoice.explain import explain_rule, short_location


def _read(standards_dir, name):
    return read_invoice_document(parse_secure((standards_dir / "testsuite" / name).read_bytes()))


@pytest.mark.parametrize("syntax", ["ubl", "uncefact"])
def test_reference_invoice_01_04a_reads_the_same_in_ubl_and_cii(standards_dir, syntax):
    """XRechnung reference invoice 01.04a: same terms from both syntaxes (CEN/TS 16931-3-2 and -3-3)."""
    doc = _read(standards_dir, f"xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_{syntax}.xml")
    assert doc.number == "1234/78/901"
    assert doc.issue_date == "2016-06-16"
    assert doc.currency == "EUR"
    assert doc.buyer_reference == "04011000-12348-91"
    assert doc.iban == "DE75512108001245126199"
    assert [line.name for line in doc.lines] == ["Teilnahmegebühr"]
    assert doc.lines[0].net_amount == Decimal("120")
    assert doc.vat_breakdown[0].category == "O"
    assert doc.vat_breakdown[0].exemption_reason == "als gemeinnützig anerkannt"
    assert doc.total_with_vat == doc.amount_due == Decimal("120")
    assert doc.seller.name and doc.buyer.name


def test_ubl_credit_note_lines_and_totals(standards_dir):
    """A UBL CreditNote (KoSIT unit template) has CreditNoteLine/CreditedQuantity and is a credit note."""
    doc = _read(standards_dir, "xrechnung-schematron-unit/ubl-cn/ubl-cn-br-de-1-test.xml")
    assert doc.is_credit_note
    assert len(doc.lines) == 2
    assert doc.lines[0].quantity == Decimal("33")
    assert doc.vat_total == Decimal("2048.44")
    assert doc.amount_due == Decimal("12829.69")


def test_embedded_attachments_are_decoded(standards_dir):
    """BG-24 attachments of the reference invoices are decoded from base64 (BT-125)."""
    found = []
    for path in sorted((standards_dir / "testsuite" / "xrechnung-testsuite").rglob("*.xml")):
        doc = read_invoice_document(parse_secure(path.read_bytes()))
        found += [a for a in doc.attachments if a.content]
    assert found, "the reference invoices carry embedded attachments"
    assert all(a.filename and a.mime_code for a in found)


def test_the_term_table_fills_every_field_of_the_readable_invoice_once():
    """Each field comes from exactly one row of the table business term → XPath per syntax (UBL
    and CII), apart from the syntax, the credit-note flag and the groups themselves."""
    groups = {
        "seller": (document.SELLER, document.Party),
        "buyer": (document.BUYER, document.Party),
        "lines": (document.LINES, document.Line),
        "vat_breakdown": (document.VAT_BREAKDOWN, document.VatBreakdown),
        "attachments": (document.ATTACHMENTS, document.Attachment),
    }
    header = [f.name for f in dataclasses.fields(document.InvoiceDocument)]
    assert sorted(t.field for t in document.DOCUMENT_TERMS) == sorted(
        set(header) - {"syntax", "is_credit_note", *groups}
    )
    rows = list(document.DOCUMENT_TERMS)
    for group, cls in groups.values():
        assert sorted(t.field for t in group.terms) == sorted(f.name for f in dataclasses.fields(cls))
        assert group.bg.startswith("BG-") and group.ubl and group.cii
        rows += group.terms
    assert all(t.bt.startswith("BT-") and t.ubl and t.cii for t in rows)


def test_not_an_invoice_is_refused():
    with pytest.raises(ValueError, match="Kein UBL"):
        read_invoice_document(parse_secure(b"<Order/>"))


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("BR-DE-15", "XRechnung"),
        ("BR-DEX-04", "Extension"),
        ("BR-CO-15", "Rechen"),
        ("BR-CL-23", "Codeliste"),
        ("BR-S-08", "Geschäftsregel"),
        ("UBL-SR-53", "UBL"),
        ("PEPPOL-EN16931-R008", "Peppol"),
        ("PDF-NO-XML", "ZUGFeRD"),
        ("DUPLICATE", "bereits"),
    ],
)
def test_every_rule_family_is_explained(rule, words):
    assert words in explain_rule(rule)


def test_unknown_rule_has_no_explanation():
    assert explain_rule("XYZ-1") == ""


@pytest.mark.parametrize(
    ("xpath", "short"),
    [
        (
            "/*:Invoice[namespace-uri()='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'][1]"
            "/*:InvoiceLine[2]/*:Item[1]",
            "Invoice › InvoiceLine 2 › Item",
        ),
        (
            "/Q{http://example.org/a/b}CrossIndustryInvoice[1]/Q{x}ExchangedDocument[1]",
            "CrossIndustryInvoice › ExchangedDocument",
        ),
        (
            "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID",
            "CrossIndustryInvoice › ExchangedDocument › ID",
        ),
        ("", ""),
    ],
)
def test_svrl_locations_become_short_paths(xpath, short):
    assert short_location(xpath) == short
