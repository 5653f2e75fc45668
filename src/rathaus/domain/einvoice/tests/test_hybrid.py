"""ZUGFeRD 2 / Factur-X hybrid PDFs: the embedded XML is validated; hostile PDFs get clear refusals."""

import logging
from pathlib import Path

import pytest

from rathaus.domain.einvoice import extract_hybrid_xml, is_pdf, validate_document
from rathaus.domain.einvoice.hybrid import MAX_ATTACHMENTS
from rathaus.domain.einvoice.validation import InvoiceRejected

from .pdfs import factur_x, hybrid_pdf

CII = "xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_uncefact.xml"
UBL = "xrechnung-testsuite/business-cases/standard/01.04a-INVOICE_ubl.xml"


@pytest.fixture(autouse=True)
def _quiet_pypdf(caplog):
    # pypdf logs repairs of damaged files as warnings; they are expected in these tests.
    caplog.set_level(logging.ERROR, logger="pypdf")


def _suite(standards_dir: Path, name: str) -> bytes:
    return (standards_dir / "testsuite" / name).read_bytes()


@pytest.mark.parametrize("name", [CII, UBL])
def test_embedded_official_invoice_is_validated_and_accepted(standards_dir, name):
    """An official reference invoice embedded as factur-x.xml gives the same verdict as the bare XML."""
    xml = _suite(standards_dir, name)
    verdict = validate_document(factur_x(xml), standards_dir=standards_dir)
    assert verdict.container == "pdf"
    assert verdict.embedded_filename == "factur-x.xml"
    assert verdict.xml == xml
    assert verdict.report.accepted
    assert verdict.as_dict()["container"] == "pdf"


def test_embedded_invalid_invoice_is_rejected_with_the_rules_of_the_xml(standards_dir):
    """An invoice the rules reject is rejected inside a PDF too, with the same rule IDs."""
    name = "xrechnung-schematron-unit/ubl-cn/ubl-cn-br-de-16-negative-test-bt-102.xml"
    xml = _suite(standards_dir, name)
    bare = validate_document(xml, standards_dir=standards_dir)
    embedded = validate_document(factur_x(xml), standards_dir=standards_dir)
    assert not bare.report.accepted
    assert embedded.report.error_rule_ids == bare.report.error_rule_ids


@pytest.mark.parametrize(
    "name", ["xrechnung.xml", "zugferd-invoice.xml", "ZUGFeRD-invoice.xml", "rechnung.xml"]
)
def test_other_standard_names_and_a_single_xml_are_found(name):
    """ZUGFeRD 1/2.0 and XRechnung-profile names, or one XML under any name, are the invoice."""
    pdf = hybrid_pdf([("lieferschein.txt", b"x"), (name, b"<Invoice/>")])
    assert extract_hybrid_xml(pdf).filename == name


def test_factur_x_name_wins_over_other_xml_attachments():
    """Tried: two XML attachments; the one named by the standard is taken."""
    pdf = hybrid_pdf([("anlage.xml", b"<a/>"), ("factur-x.xml", b"<Invoice/>")])
    assert extract_hybrid_xml(pdf).xml == b"<Invoice/>"


@pytest.mark.parametrize(
    ("pdf", "rule"),
    [
        # A plain PDF without any embedded file is not an e-invoice.
        (hybrid_pdf([]), "PDF-NO-XML"),
        # Two XML files, neither with a standard name: ambiguous.
        (hybrid_pdf([("a.xml", b"<a/>"), ("b.xml", b"<b/>")]), "PDF-NO-XML"),
        # More embedded files than the limit.
        (hybrid_pdf([(f"beleg-{i}.txt", b"x") for i in range(MAX_ATTACHMENTS + 1)]), "PDF-LIMIT"),
        # Encrypted with a password.
        (hybrid_pdf([("factur-x.xml", b"<a/>")], password="geheim"), "PDF-ENCRYPTED"),
        # Only a header, the rest garbage.
        (b"%PDF-1.7\n" + bytes(range(256)) * 20, "PDF-MALFORMED"),
        # Truncated in the middle of a real file.
        (hybrid_pdf([("factur-x.xml", b"<a/>" * 100)])[:300], "PDF-MALFORMED"),
    ],
    ids=["no-attachment", "ambiguous", "too-many", "encrypted", "garbage", "truncated"],
)
def test_hostile_or_unusable_pdfs_are_refused_with_a_rule(pdf, rule):
    """Tried: each kind of unusable PDF; each gives one pseudo rule and a German message, never a crash."""
    with pytest.raises(InvoiceRejected) as refusal:
        extract_hybrid_xml(pdf)
    assert refusal.value.rule_id == rule
    assert refusal.value.message


def test_a_compressed_stream_that_expands_past_the_limit_is_refused():
    """Tried: a 'zip bomb' — 64 MB of spaces compressed to a few hundred KB in factur-x.xml."""
    pdf = hybrid_pdf([("factur-x.xml", b"<a>" + b" " * (64 * 1024 * 1024) + b"</a>")], compress=True)
    assert len(pdf) < 1024 * 1024
    with pytest.raises(InvoiceRejected) as refusal:
        extract_hybrid_xml(pdf, max_bytes=4 * 1024 * 1024)
    assert refusal.value.rule_id == "PDF-LIMIT"


def test_refusal_becomes_a_rejected_report(standards_dir):
    """validate_document never raises for a bad PDF: the refusal is the report's only finding."""
    verdict = validate_document(hybrid_pdf([]), standards_dir=standards_dir)
    assert not verdict.report.accepted
    assert verdict.report.error_rule_ids == ["PDF-NO-XML"]
    assert verdict.xml is None
    assert verdict.report.rule_set_version.startswith("Validator Configuration XRechnung")


def test_is_pdf_looks_at_the_header_only():
    assert is_pdf(b"%PDF-1.7\n...")
    assert not is_pdf(b"<?xml version='1.0'?><Invoice/>")
