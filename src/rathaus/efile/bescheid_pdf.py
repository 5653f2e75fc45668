"""Renders a ``domain.efile.bescheid.Bescheid`` as a one- or multi-page A4 PDF with fpdf2.

Only PDF core fonts are used (Helvetica, Windows-1252 encoding covers German text and the
typographic quotes and dashes), so no font files or system packages are needed. Characters
outside that encoding are replaced by "?" rather than failing the whole document
(``rathaus.kernel.pdf.core_text``).
"""

from __future__ import annotations

import datetime

from rathaus.domain.efile.bescheid import Bescheid, format_date, remedy_notice, signature_line
from rathaus.kernel.pdf import core_document, core_text


def render(bescheid: Bescheid) -> bytes:
    pdf = core_document(
        title=f"{bescheid.title} ({bescheid.aktenzeichen})",
        author=bescheid.authority,
        creator="Rathaus E-Akte",
        # The issue date, not the clock: the same Bescheid renders to the same bytes.
        created=datetime.datetime.combine(bescheid.issued_on, datetime.time(), tzinfo=datetime.UTC),
    )
    pdf.set_margins(left=25, top=20, right=20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(width, 6, core_text(bescheid.authority), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    if bescheid.authority_address:
        pdf.multi_cell(width, 5, core_text(bescheid.authority_address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 11)
    if bescheid.addressee:
        pdf.multi_cell(
            width * 0.6, 5, core_text("\n".join(bescheid.addressee)), new_x="LMARGIN", new_y="NEXT"
        )
        pdf.ln(8)
    pdf.set_font("Helvetica", "", 10)
    pdf.cell(width, 5, core_text(f"Aktenzeichen: {bescheid.aktenzeichen}"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 5, core_text(f"Datum: {format_date(bescheid.issued_on)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(width, 6, core_text(bescheid.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(width, 5.5, core_text(bescheid.body.strip()), new_x="LMARGIN", new_y="NEXT")
    if bescheid.with_remedy_notice:
        pdf.ln(6)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(width, 6, "Rechtsbehelfsbelehrung", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        notice = remedy_notice(authority=bescheid.authority, authority_address=bescheid.authority_address)
        pdf.multi_cell(width, 5, core_text(notice), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(width, 5.5, core_text(signature_line(bescheid.officer)), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
