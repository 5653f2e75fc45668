"""Issue 10 for the e-invoice pages: one way to show amounts, findings without repeated rule
IDs, labelled history, a rejected invoice that says why, the supplier's list with number and
amount, correct plurals, unique field ids, and "kein Text gefunden" for a PDF without text."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rathaus.einvoice import display
from rathaus.einvoice.intake_demo import factur_x_pdf
from rathaus.einvoice.labels import ACTION_LABELS
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel import audit
from rathaus.kernel.testing import log_in_staff as _staff_login

from .conftest import LEITWEG_ID
from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db


def _broken(ubl: bytes) -> bytes:
    return ubl.replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">99'
    )


def test_amounts_read_the_german_way_and_other_currencies_keep_their_code():
    assert display.money(Decimal("12829.69"), "EUR", language="de") == "12.829,69 €"
    assert display.money(Decimal("1234.5"), "USD", language="de") == "1.234,50 USD"
    assert display.money(None, "EUR") == "–"


def test_a_finding_shows_its_message_once_with_the_rule_id_beside_it(client, supplier, office, ubl):
    invoice = receive(_broken(ubl), supplier, channel="upload")
    client.force_login(supplier)
    page = client.get(reverse("einvoice_intake:invoice", args=[invoice.pk])).content.decode()
    assert "BR-CO-15" in page
    assert "[BR-CO-15]" not in page and "BR-CO-15: [" not in page
    assert "[BR-CO-15]" not in invoice.rejection_reason and "(BR-CO-15)" in invoice.rejection_reason
    assert "erfüllt alle Regeln" not in page


def test_a_rejected_invoice_says_why_never_that_it_meets_all_rules(client, supplier, office, ubl):
    """Unknown Leitweg-ID: no finding of the rule sets, but the page says why it was refused."""
    invoice = receive(ubl.replace(LEITWEG_ID.encode(), b"04011000-99999-42"), supplier, channel="upload")
    assert invoice.status == InboundInvoice.Status.REJECTED
    client.force_login(supplier)
    page = client.get(reverse("einvoice_intake:invoice", args=[invoice.pk])).content.decode()
    assert "erfüllt alle Regeln" not in page
    assert "Abgelehnt" in page
    assert invoice.rejection_reason.split("„")[0] in page


def test_the_supplier_list_shows_number_and_amount_of_every_invoice_it_can_read(
    client, supplier, office, ubl
):
    rejected = receive(_broken(ubl), supplier, channel="upload")
    assert rejected.status == InboundInvoice.Status.REJECTED
    assert rejected.invoice_number and rejected.total_with_vat == Decimal("99.00")
    receive(b"<kein>xml", supplier, channel="upload")
    client.force_login(supplier)
    page = client.get(reverse("einvoice_intake:mine")).content.decode()
    assert rejected.invoice_number in page
    assert "99,00\xa0€" in page
    assert "nicht lesbar" in page  # the unreadable one says so in words
    assert "BR-CO-15" not in page  # statuses in words, no rule codes in the list


def test_every_recorded_action_has_a_german_label():
    source = "\n".join(p.read_text() for p in Path(display.__file__).parent.glob("*.py"))
    literal = set(re.findall(r'action="(einvoice\.[a-z_]+)"', source))
    from rathaus.domain.einvoice.workflow import Action

    recorded = (
        literal
        | {f"einvoice.{a.value}" for a in Action}
        | {f"einvoice.{s}" for s in InboundInvoice.Status.values}
    )
    assert recorded - set(ACTION_LABELS) == set()
    assert all(code in audit.registered_action_labels() for code in ACTION_LABELS)


def test_the_workbench_shows_labels_amounts_and_unique_ids(client, supplier, office, ubl):
    invoice = receive(ubl, supplier)
    clerk = make_staff(office)
    _staff_login(client, clerk)
    page = client.get(reverse("einvoice:staff-detail", args=[invoice.pk])).content.decode()
    assert "einvoice.accepted" not in page and "Rechnung angenommen" in page
    assert "120,00\xa0€" in page and "floatformat" not in page and " EUR<" not in page
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert 'id="zurueckweisen_reason"' in page and 'for="zurueckweisen_reason"' in page
    assert "Noch offen" in page or "noch offen" in page  # four-eyes steps in the summary


def test_the_export_message_counts_one_payment_in_the_singular(client, supplier, office, ubl):
    from rathaus.einvoice import workflow

    invoice = receive(ubl, supplier)
    first, second = make_staff(office), make_staff(office)
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first)
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=second)
    workflow.invoice_order_payment(invoice=invoice, by=second)
    _staff_login(client, second)
    response = client.post(reverse("einvoice:staff-export-create"), {"dienststelle": office.pk}, follow=True)
    page = response.content.decode()
    assert "mit 1 Zahlung erstellt" in page and "1 Zahlungen" not in page


def test_the_readable_pdf_shows_euro_amounts_and_german_dates(client, supplier, office, ubl):
    invoice = receive(ubl, supplier)
    client.force_login(supplier)
    response = client.get(reverse("einvoice_intake:invoice-pdf", args=[invoice.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "120,00 €" in text and not re.search(r"\d EUR", text)
    assert f"{invoice.issue_date:%d.%m.%Y}" in text and invoice.issue_date.isoformat() not in text


def test_a_pdf_invoice_whose_ocr_finds_no_text_says_so(
    client, supplier, office, ubl, django_capture_on_commit_callbacks
):
    """The hybrid PDF is a blank page with the XML inside: OCR finds nothing, which is no success."""
    from rathaus.efile.models import Document

    with django_capture_on_commit_callbacks(execute=True):
        invoice = receive(factur_x_pdf(ubl), supplier)
    assert invoice.status == InboundInvoice.Status.ACCEPTED and invoice.case_id
    document = Document.objects.get(case_id=invoice.case_id)
    assert document.ocr_status != Document.OcrStatus.DONE
    assert "Kein Text gefunden" in document.ocr_error
    clerk = make_staff(office)
    _staff_login(client, clerk)
    page = client.get(reverse("einvoice:staff-detail", args=[invoice.pk])).content.decode()
    assert "Kein Text gefunden" in page


def test_the_workbench_in_english_translates_labels_and_amounts(client, supplier, office, ubl):
    invoice = receive(ubl, supplier)
    _staff_login(client, make_staff(office))
    client.cookies["rathaus_language"] = "en"
    page = client.get(reverse("einvoice:staff-detail", args=[invoice.pk])).content.decode()
    assert 'lang="en"' in page
    assert "Invoice accepted" in page and "€120.00" in page and "Certify factual correctness" in page
