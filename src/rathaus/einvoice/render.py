"""A readable PDF of an e-invoice (the "Sichtprüfung" copy), made with fpdf2 (pure Python, no system fonts).

The PDF is a rendering for people, not the invoice: the XML (or the hybrid PDF as received) stays
the legal original. It uses the PDF core font Helvetica in the Windows-1252 encoding; German text
and the euro sign fit, other characters are replaced. Amounts and dates read as on the pages
("1.234,50 €", "02.12.2026"; ``display.money``), codes of the standard in words.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from fpdf import FPDF
from fpdf.fonts import FontFace

from rathaus.domain.einvoice.document import InvoiceDocument, Party

from . import display
from .models import InboundInvoice

# Characters outside Windows-1252, replaced (the dashes and quotes are in it, but kept plain).
_REPLACE = {
    "\u00a0": " ",
    "–": "-",
    "—": "-",
    "„": '"',
    "“": '"',
    "”": '"',
    "‚": "'",
    "‘": "'",
    "’": "'",
    "…": "...",
}


def _t(value: object) -> str:
    text = "" if value is None else str(value)
    for old, new in _REPLACE.items():
        text = text.replace(old, new)
    return text.encode(_ENCODING, "replace").decode(_ENCODING)


_ENCODING = "windows-1252"


def money(value: Decimal | None, currency: str = "") -> str:
    """An amount in German: "1.234,50 €" (another currency: "1.234,50 USD"); "-" when missing."""
    return "-" if value is None else display.money(value, currency, language="de")


def _date(value: object) -> str:
    """An ISO date (BT-2, BT-9 …) as DD.MM.YYYY; "-" when missing, anything else unchanged."""
    if not value:
        return "-"
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    try:
        return f"{datetime.date.fromisoformat(str(value)[:10]):%d.%m.%Y}"
    except ValueError:
        return str(value)


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
    currency = document.currency
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _ENCODING
    pdf.set_title(_t(f"Rechnung {document.number}"))
    pdf.set_lang("de-DE")
    pdf.set_creator("Rathaus E-Rechnung")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    kind = "Gutschrift" if document.is_credit_note else "Rechnung"
    pdf.cell(0, 10, _t(f"{kind} {document.number}"), new_x="LMARGIN", new_y="NEXT")
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
    facts = [
        ("Rechnungsart", display.invoice_type_label(document.type_code)),
        ("Rechnungsdatum", _date(document.issue_date)),
        ("Fällig am", _date(document.due_date)),
        ("Leitweg-ID (Käuferreferenz)", document.buyer_reference),
        ("Bestellnummer", document.order_reference or "-"),
        (
            "Leistungszeitraum",
            f"{_date(document.period_start)} bis {_date(document.period_end)}"
            if document.period_start
            else "-",
        ),
        ("Währung", currency),
    ]
    with pdf.table(col_widths=(60, 130), first_row_as_headings=False, borders_layout="NONE") as table:
        for key, value in facts:
            row = table.row()
            row.cell(_t(key))
            row.cell(_t(value))
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Positionen", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
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
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Summen", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
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
            if value is None and key in ("Nachlässe", "Zuschläge", "Bereits gezahlt"):
                continue
            row = table.row()
            row.cell(_t(key))
            row.cell(_t(money(value, currency)), align="RIGHT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, "Zahlung", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    payment = [
        f"Zahlungsart: {display.payment_means_label(document.payment_means_code)}",
        f"IBAN: {document.iban or '-'}",
        f"BIC: {document.bic or '-'}",
        f"Kontoinhaber: {document.account_name or '-'}",
        f"Verwendungszweck: {document.remittance_information or '-'}",
        f"Zahlungsbedingungen: {document.payment_terms or '-'}",
    ]
    pdf.multi_cell(0, 5, _t("\n".join(payment)), new_x="LMARGIN", new_y="NEXT")
    if document.notes:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, "Bemerkungen", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5, _t("\n".join(document.notes)), new_x="LMARGIN", new_y="NEXT")
    if document.attachments:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, "Anlagen", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        names = [
            f"{a.id}: {a.filename or a.uri or '-'} {('- ' + a.description) if a.description else ''}"
            for a in document.attachments
        ]
        pdf.multi_cell(0, 5, _t("\n".join(names)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
