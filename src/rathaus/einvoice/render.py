"""A readable PDF of an e-invoice (the "Sichtprüfung" copy), made with fpdf2 (pure Python, no system fonts).

The PDF is a rendering for people, not the invoice: the XML (or the hybrid PDF as received) stays
the legal original. It uses the PDF core font Helvetica in the Windows-1252 encoding
(``rathaus.kernel.pdf``): German text and the euro sign fit, quotes and dashes are written as
ASCII, other characters are replaced. Amounts and dates read as on the pages ("1.234,50 €",
"02.12.2026"; ``display.money``, ``kernel.pdf.de_date``), codes of the standard in words.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from rathaus.domain.einvoice.document import InvoiceDocument, Party
from rathaus.kernel.pdf import core_document, core_text, de_date, heading

from . import display
from .models import InboundInvoice

# Totals the standard leaves out when there are none (BT-107, BT-108, BT-113).
_OPTIONAL_TOTALS = ("Nachlässe", "Zuschläge", "Bereits gezahlt")


def _t(value: object) -> str:
    """Data as received, with plain ASCII quotes and dashes (``kernel.pdf.core_text``)."""
    return core_text(value, plain=True)


def _date(value: datetime.date | str | None) -> str:
    """An ISO date (BT-2, BT-9 …) as DD.MM.YYYY; "-" when missing, anything else unchanged."""
    return de_date(value, missing="-")


def money(value: Decimal | None, currency: str = "") -> str:
    """An amount in German: "1.234,50 €" (another currency: "1.234,50 USD"); "-" when missing."""
    return "-" if value is None else display.money(value, currency, language="de")


def _party_lines(party: Party) -> list[str]:
    lines = [party.name or party.trading_name]
    if party.street:
        lines.append(party.street)
    if party.postcode or party.city:
        lines.append(f"{party.postcode} {party.city}".strip())
    if party.country:
        lines.append(party.country)
    if party.vat_id:
        lines.append(f"USt-IdNr. {party.vat_id}")
    contact = ", ".join(x for x in (party.contact_name, party.contact_phone, party.contact_email) if x)
    if contact:
        lines.append(f"Kontakt: {contact}")
    return lines


def invoice_pdf(invoice: InboundInvoice, document: InvoiceDocument) -> bytes:
    """The PDF bytes of the readable copy of ``invoice``."""
    pdf = core_document(
        title=_t(f"Rechnung {document.number}"), creator="Rathaus E-Rechnung", language="de-DE"
    )
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    _heading(pdf, invoice, document)
    _parties(pdf, document)
    _facts(pdf, document)
    _lines(pdf, document)
    _totals(pdf, document)
    _payment(pdf, document)
    if document.notes:
        _appendix(pdf, "Bemerkungen", document.notes)
    if document.attachments:
        names = [
            f"{a.id}: {a.filename or a.uri or '-'} {('- ' + a.description) if a.description else ''}"
            for a in document.attachments
        ]
        _appendix(pdf, "Anlagen", names)
    return bytes(pdf.output())


def _section(pdf: FPDF, title: str, *, size: int = 10) -> None:
    heading(pdf, title, size=12, height=8)
    pdf.set_font("Helvetica", size=size)


def _heading(pdf: FPDF, invoice: InboundInvoice, document: InvoiceDocument) -> None:
    kind = "Gutschrift" if document.is_credit_note else "Rechnung"
    heading(pdf, _t(f"{kind} {document.number}"))
    pdf.set_font("Helvetica", size=9)
    pdf.multi_cell(
        0,
        5,
        _t(
            f"Lesefassung der E-Rechnung, Eingang Nr. {invoice.pk} vom {_date(invoice.received_at)}. "
            f"Rechtlich maßgeblich ist die strukturierte Rechnung ({document.syntax}). "
            f"Prüfung: {display.supplier_status(invoice)} ({invoice.rule_set_version})."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)


def _parties(pdf: FPDF, document: InvoiceDocument) -> None:
    """Seller and buyer side by side (BG-4, BG-7)."""
    pdf.set_font("Helvetica", size=10)
    y = pdf.get_y()
    for x, title, party in (
        (10, "Rechnungssteller", document.seller),
        (110, "Rechnungsempfänger", document.buyer),
    ):
        pdf.set_xy(x, y)
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(90, 6, _t(title), new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(90, 5, _t("\n".join(_party_lines(party))), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(10, max(pdf.get_y(), y + 40))


def _facts(pdf: FPDF, document: InvoiceDocument) -> None:
    period = (
        f"{_date(document.period_start)} bis {_date(document.period_end)}" if document.period_start else "-"
    )
    facts = [
        ("Rechnungsart", display.invoice_type_label(document.type_code)),
        ("Rechnungsdatum", _date(document.issue_date)),
        ("Fällig am", _date(document.due_date)),
        ("Leitweg-ID (Käuferreferenz)", document.buyer_reference),
        ("Bestellnummer", document.order_reference or "-"),
        ("Leistungszeitraum", period),
        ("Währung", document.currency),
    ]
    with pdf.table(col_widths=(60, 130), first_row_as_headings=False, borders_layout="NONE") as table:
        for key, value in facts:
            row = table.row()
            row.cell(_t(key))
            row.cell(_t(value))
    pdf.ln(3)


def _lines(pdf: FPDF, document: InvoiceDocument) -> None:
    """The invoice lines (BG-25)."""
    currency = document.currency
    _section(pdf, "Positionen", size=9)
    headings = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=(12, 70, 22, 18, 28, 28, 12), headings_style=headings, text_align="LEFT"
    ) as table:
        table.row([_t(h) for h in ("Nr.", "Bezeichnung", "Menge", "Einheit", "Preis", "Betrag", "USt %")])
        for line in document.lines:
            name = line.name + (f" - {line.description}" if line.description else "")
            table.row(
                [
                    _t(line.id),
                    _t(name),
                    _t(line.quantity if line.quantity is not None else ""),
                    _t(line.unit),
                    _t(money(line.net_price, currency)),
                    _t(money(line.net_amount, currency)),
                    _t(line.vat_rate if line.vat_rate is not None else line.vat_category),
                ]
            )
    pdf.ln(3)


def _totals(pdf: FPDF, document: InvoiceDocument) -> None:
    """The document totals (BG-22)."""
    _section(pdf, "Summen")
    totals = [
        ("Summe der Positionen (netto)", document.line_total),
        ("Nachlässe", document.allowance_total),
        ("Zuschläge", document.charge_total),
        ("Gesamtbetrag ohne USt", document.total_without_vat),
        ("Umsatzsteuer", document.vat_total),
        ("Gesamtbetrag mit USt", document.total_with_vat),
        ("Bereits gezahlt", document.prepaid),
        ("Zahlbetrag", document.amount_due),
    ]
    with pdf.table(col_widths=(120, 70), first_row_as_headings=False, borders_layout="NONE") as table:
        for key, value in totals:
            if value is None and key in _OPTIONAL_TOTALS:
                continue
            row = table.row()
            row.cell(_t(key))
            row.cell(_t(money(value, document.currency)), align="RIGHT")
    pdf.ln(3)


def _payment(pdf: FPDF, document: InvoiceDocument) -> None:
    """Payment instructions (BG-16) and terms (BT-20)."""
    _section(pdf, "Zahlung")
    payment = [
        f"Zahlungsart: {display.payment_means_label(document.payment_means_code)}",
        f"IBAN: {document.iban or '-'}",
        f"BIC: {document.bic or '-'}",
        f"Kontoinhaber: {document.account_name or '-'}",
        f"Verwendungszweck: {document.remittance_information or '-'}",
        f"Zahlungsbedingungen: {document.payment_terms or '-'}",
    ]
    pdf.multi_cell(0, 5, _t("\n".join(payment)), new_x="LMARGIN", new_y="NEXT")


def _appendix(pdf: FPDF, title: str, lines: Sequence[str]) -> None:
    pdf.ln(2)
    _section(pdf, title)
    pdf.multi_cell(0, 5, _t("\n".join(lines)), new_x="LMARGIN", new_y="NEXT")
