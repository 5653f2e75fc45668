"""PDF documents: the payment request with GiroCode, the receipt, the map extract (fpdf2).

The core PDF fonts are used with the Windows-1252 encoding (WinAnsi), which has the euro
sign, German quotes and dashes; ``_t`` replaces the few characters outside it. Amounts are
shown as everywhere else: "12.829,69 €". The texts are German whatever the page language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.utils import timezone, translation
from fpdf import FPDF

from rathaus.domain.payments.girocode import epc_payload
from rathaus.kernel.money import format_eur

from . import conf

_MAP = str.maketrans({"↑": "^", "−": "-"})


def _t(text: str) -> str:
    return text.translate(_MAP).encode("cp1252", "replace").decode("cp1252")


def _eur(amount: Decimal) -> str:
    return _t(format_eur(amount, "de"))


@dataclass(frozen=True)
class Transfer:
    """What a payer needs for a bank transfer; the GiroCode and the text show the same."""

    name: str
    iban: str
    bic: str
    amount: Decimal
    remittance: str


def transfer_details(claim: Any) -> Transfer:
    """The bank details for paying ``claim``'s open amount by transfer (EPC069-12 fields)."""
    return Transfer(
        name=conf.payee_name(),
        iban=conf.payee_iban(),
        bic=conf.payee_bic(),
        amount=claim.open_amount,
        remittance=f"KZ {claim.kassenzeichen} {claim.purpose}"[:140],
    )


def _girocode(claim: Any) -> segno.QRCode:
    t = transfer_details(claim)
    payload = epc_payload(name=t.name, iban=t.iban, bic=t.bic, amount=t.amount, remittance=t.remittance)
    return segno.make(payload, error="m", micro=False)


def _doc(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.set_title(_t(title))
    pdf.set_author(_t(conf.payee_name()))
    pdf.set_creator("Rathaus")
    pdf.set_creation_date(timezone.now())
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    return pdf


def _row(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(55, 7, _t(label))
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 7, _t(value), new_x="LMARGIN", new_y="NEXT")


def girocode_png(claim: object) -> bytes:
    out = io.BytesIO()
    _girocode(claim).save(out, kind="png", scale=5, border=4)
    return out.getvalue()


def girocode_svg(claim: object, title: str) -> str:
    out = io.BytesIO()
    _girocode(claim).save(
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
    _row(pdf, "Kassenzeichen", c.display_kassenzeichen)
    _row(pdf, "Zweck", c.purpose)
    _row(pdf, "Zahlungspflichtig", c.debtor_name)
    _row(pdf, "Offener Betrag", _eur(c.open_amount))
    _row(pdf, "Fällig am", f"{c.due_on:%d.%m.%Y}")
    for line in c.fee_lines:
        _row(pdf, "Berechnung", line)
    t = transfer_details(c)
    _row(pdf, "Empfänger", t.name)
    _row(pdf, "IBAN", " ".join(t.iban[i : i + 4] for i in range(0, len(t.iban), 4)))
    if t.bic:
        _row(pdf, "BIC", t.bic)
    _row(pdf, "Verwendungszweck", t.remittance)
    if c.open_amount > 0:
        pdf.ln(4)
        pdf.cell(
            0,
            7,
            _t("GiroCode: mit der Banking-App scannen, um die Überweisung auszufüllen."),
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
    _row(pdf, "Kassenzeichen", c.display_kassenzeichen)
    _row(pdf, "Zweck", c.purpose)
    _row(pdf, "Eingezahlt von", c.debtor_name)
    _row(pdf, "Betrag", _eur(p.amount))
    _row(pdf, "Zahlweg", p.get_method_display())
    _row(pdf, "Transaktion", p.transaction_id)
    paid = timezone.localtime(p.paid_at) if p.paid_at else timezone.localtime()
    _row(pdf, "Eingegangen am", f"{paid:%d.%m.%Y %H:%M} Uhr")
    _row(pdf, "Empfänger", conf.payee_name())
    pdf.ln(6)
    pdf.multi_cell(0, 6, _t("Diese Quittung wurde maschinell erstellt und ist ohne Unterschrift gültig."))
    return bytes(pdf.output())


def map_extract_pdf(*, parcel: Any, neighbours: Sequence[Any], order_ref: str) -> bytes:
    """Auszug aus der Liegenschaftskarte: the parcel and its neighbours drawn to scale."""
    pr = parcel
    pdf = _doc("Auszug aus der Liegenschaftskarte")
    _row(pdf, "Flurstück", str(pr))
    _row(pdf, "Fläche", f"{pr.area_m2} m²")  # type: ignore[attr-defined]
    _row(pdf, "Nutzung", pr.land_use)  # type: ignore[attr-defined]
    _row(pdf, "Bestellung", order_ref)
    polys = [pr.polygon] + [n.polygon for n in neighbours]  # type: ignore[attr-defined]
    xs = [p[0] for poly in polys for p in poly]
    ys = [p[1] for poly in polys for p in poly]
    x0, y1 = min(xs), max(ys)
    span = max(max(xs) - x0, y1 - min(ys), 1.0)
    box, left, top = 150.0, 30.0, pdf.get_y() + 8
    scale = box / span
    pdf.set_draw_color(27, 42, 56)
    for item in [*neighbours, pr]:
        own = item is pr
        pdf.set_fill_color(*((247, 215, 116) if own else (238, 242, 245)))
        pdf.set_line_width(0.6 if own else 0.2)
        points = [(left + (p[0] - x0) * scale, top + (y1 - p[1]) * scale) for p in item.polygon]  # type: ignore[attr-defined]
        pdf.polygon(points, style="DF")
        cx = sum(p[0] for p in points) / len(points)
        cy = sum(p[1] for p in points) / len(points)
        pdf.set_font("Helvetica", "B" if own else "", 10)
        pdf.text(cx - 3, cy + 1, str(item.number))  # type: ignore[attr-defined]
    # scale bar of 20 m and north arrow
    bar_y = top + box + 8
    pdf.set_line_width(0.5)
    pdf.line(left, bar_y, left + 20 * scale, bar_y)
    pdf.set_font("Helvetica", size=9)
    pdf.text(left, bar_y + 5, _t(f"20 m (Maßstab ca. 1:{round(1000 / scale)})"))
    pdf.text(left + box - 4, top - 2, "N ^")
    pdf.set_y(bar_y + 10)
    pdf.multi_cell(
        0,
        5,
        _t("Synthetische Demonstrationsdaten – kein amtlicher Nachweis. Erstellt am ")
        + f"{timezone.localtime():%d.%m.%Y %H:%M}.",
    )
    return bytes(pdf.output())
