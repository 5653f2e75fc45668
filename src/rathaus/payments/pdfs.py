"""PDF documents: the payment request with GiroCode and the receipt (fpdf2). The products draw
their own documents (the map extract: ``rathaus.cadastre.pdfs``).

Text, amounts ("12.829,69 €"), dates and the GiroCode come from ``rathaus.kernel.pdf``, as on
every PDF of Rathaus. The texts are German whatever the page language.
"""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone, translation
from fpdf import FPDF

from rathaus.kernel import pdf as kernel_pdf
from rathaus.kernel.pdf import (
    Transfer,
    core_document,
    core_text,
    de_date,
    euro,
    field_row,
    heading,
    iban_groups,
)

from . import conf

__all__ = [
    "Transfer",
    "claim_pdf",
    "girocode_png",
    "girocode_svg",
    "receipt_pdf",
    "transfer_details",
]


def transfer_details(claim: Any) -> Transfer:
    """The bank details for paying ``claim``'s open amount by transfer (EPC069-12 fields)."""
    return Transfer(
        name=conf.payee_name(),
        iban=conf.payee_iban(),
        bic=conf.payee_bic(),
        amount=claim.open_amount,
        remittance=f"KZ {claim.kassenzeichen} {claim.purpose}"[:140],
    )


def _doc(title: str) -> FPDF:
    pdf = core_document(title=title, creator="Rathaus", author=conf.payee_name(), created=timezone.now())
    pdf.add_page()
    heading(pdf, title)
    pdf.set_font("Helvetica", size=11)
    return pdf


def girocode_png(claim: object) -> bytes:
    """The GiroCode for paying ``claim`` by transfer, as PNG."""
    return kernel_pdf.girocode_png(transfer_details(claim))


def girocode_svg(claim: object, title: str) -> str:
    out = io.BytesIO()
    kernel_pdf.girocode(transfer_details(claim)).save(
        out, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, title=title, svgclass="app-girocode"
    )
    return out.getvalue().decode("utf-8")


def claim_pdf(claim: object) -> bytes:
    """Payment request (Zahlungsaufforderung) with bank details and GiroCode."""
    with translation.override("de"):
        return _claim_pdf(claim)


def _claim_pdf(claim: Any) -> bytes:
    c = claim
    pdf = _doc("Zahlungsaufforderung")
    field_row(pdf, "Kassenzeichen", c.display_kassenzeichen)
    field_row(pdf, "Zweck", c.purpose)
    field_row(pdf, "Zahlungspflichtig", c.debtor_name)
    field_row(pdf, "Offener Betrag", euro(c.open_amount))
    field_row(pdf, "Fällig am", de_date(c.due_on))
    for line in c.fee_lines:
        field_row(pdf, "Berechnung", line)
    t = transfer_details(c)
    field_row(pdf, "Empfänger", t.name)
    field_row(pdf, "IBAN", iban_groups(t.iban))
    if t.bic:
        field_row(pdf, "BIC", t.bic)
    field_row(pdf, "Verwendungszweck", t.remittance)
    if c.open_amount > 0:
        pdf.ln(4)
        pdf.cell(
            0,
            7,
            core_text("GiroCode: mit der Banking-App scannen, um die Überweisung auszufüllen."),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.image(io.BytesIO(girocode_png(c)), w=45)
    return bytes(pdf.output())


def receipt_pdf(*, claim: object, payment: object) -> bytes:
    """Receipt (Quittung) for one payment."""
    with translation.override("de"):
        return _receipt_pdf(claim, payment)


def _receipt_pdf(claim: Any, payment: Any) -> bytes:
    c, p = claim, payment
    pdf = _doc("Quittung")
    field_row(pdf, "Kassenzeichen", c.display_kassenzeichen)
    field_row(pdf, "Zweck", c.purpose)
    field_row(pdf, "Eingezahlt von", c.debtor_name)
    field_row(pdf, "Betrag", euro(p.amount))
    field_row(pdf, "Zahlweg", p.get_method_display())
    field_row(pdf, "Transaktion", p.transaction_id)
    paid = timezone.localtime(p.paid_at) if p.paid_at else timezone.localtime()
    field_row(pdf, "Eingegangen am", f"{paid:%d.%m.%Y %H:%M} Uhr")
    field_row(pdf, "Empfänger", conf.payee_name())
    pdf.ln(6)
    pdf.multi_cell(
        0, 6, core_text("Diese Quittung wurde maschinell erstellt und ist ohne Unterschrift gültig.")
    )
    return bytes(pdf.output())
