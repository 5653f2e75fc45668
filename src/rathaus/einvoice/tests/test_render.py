"""The readable PDF of an e-invoice (``einvoice.render``)."""

import dataclasses
import datetime
import io

from pypdf import PdfReader

from rathaus.domain.einvoice import parse_secure
from rathaus.domain.einvoice.document import read_invoice_document
from rathaus.einvoice import render
from rathaus.einvoice.models import InboundInvoice


def _invoice(received_at: datetime.datetime) -> InboundInvoice:
    return InboundInvoice(
        pk=7,
        status=InboundInvoice.Status.ACCEPTED,
        state=InboundInvoice.State.ACCEPTED,
        received_at=received_at,
        rule_set_version="XRechnung 3.0.2",
    )


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_receiving_date_is_the_local_calendar_day(ubl):
    """An invoice received at 23:30 UTC on New Year's Eve came in on 1 January in Bremen."""
    # given an invoice received shortly after midnight, local time
    document = read_invoice_document(parse_secure(ubl))
    invoice = _invoice(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC))
    # when its readable copy is rendered
    text = _text(render.invoice_pdf(invoice, document))
    # then the PDF names the local day, as the pages do
    assert "Eingang Nr. 7 vom 01.01.2027." in text


def test_data_as_received_is_shown_with_plain_quotes_and_dashes_and_the_rest_replaced(ubl):
    document = dataclasses.replace(
        read_invoice_document(parse_secure(ubl)), notes=("Lieferung „Büro“ – Teil 1 … Nguyễn",)
    )
    text = _text(
        render.invoice_pdf(_invoice(datetime.datetime(2026, 3, 5, 9, tzinfo=datetime.UTC)), document)
    )
    assert 'Lieferung "Büro" - Teil 1 ... Nguy?n' in text
    assert "Rechnungsdatum" in text and "Zahlbetrag" in text
