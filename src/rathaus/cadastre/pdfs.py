"""The extract of the Liegenschaftskarte as PDF (fpdf2): the parcel and its neighbours drawn to
scale as vector polygons, with a scale bar and a north arrow. Text and fonts come from
``rathaus.kernel.pdf``; the text is German whatever the page language."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from fpdf import FPDF

from rathaus.kernel.pdf import core_document, core_text, field_row, heading

from .models import Parcel

OWN_FILL, NEIGHBOUR_FILL, LINE = (247, 215, 116), (238, 242, 245), (27, 42, 56)


def _draw(
    pdf: FPDF, parcel: Parcel, neighbours: Sequence[Parcel], *, left: float, top: float, box: float
) -> float:
    """Draw the parcels into a ``box`` mm square at (``left``, ``top``); returns mm per metre."""
    polys = [parcel.polygon] + [n.polygon for n in neighbours]
    xs = [p[0] for poly in polys for p in poly]
    ys = [p[1] for poly in polys for p in poly]
    x0, y1 = min(xs), max(ys)
    scale = box / max(max(xs) - x0, y1 - min(ys), 1.0)
    pdf.set_draw_color(*LINE)
    for item in [*neighbours, parcel]:
        own = item is parcel
        pdf.set_fill_color(*(OWN_FILL if own else NEIGHBOUR_FILL))
        pdf.set_line_width(0.6 if own else 0.2)
        points = [(left + (p[0] - x0) * scale, top + (y1 - p[1]) * scale) for p in item.polygon]
        pdf.polygon(points, style="DF")
        cx = sum(p[0] for p in points) / len(points)
        cy = sum(p[1] for p in points) / len(points)
        pdf.set_font("Helvetica", "B" if own else "", 10)
        pdf.text(cx - 3, cy + 1, str(item.number))
    return float(scale)


def map_extract_pdf(
    *, parcel: Parcel, neighbours: Sequence[Parcel], order_ref: str, office_name: str = ""
) -> bytes:
    """Auszug aus der Liegenschaftskarte: the parcel and its neighbours drawn to scale."""
    title = "Auszug aus der Liegenschaftskarte"
    pdf = core_document(title=title, creator="Rathaus", author=office_name, created=timezone.now())
    pdf.add_page()
    heading(pdf, title)
    pdf.set_font("Helvetica", size=11)
    field_row(pdf, "Flurstück", str(parcel))
    field_row(pdf, "Fläche", f"{parcel.area_m2} m²")
    field_row(pdf, "Nutzung", parcel.land_use)
    field_row(pdf, "Bestellung", order_ref)
    box, left, top = 150.0, 30.0, pdf.get_y() + 8
    scale = _draw(pdf, parcel, neighbours, left=left, top=top, box=box)
    # scale bar of 20 m and north arrow
    bar_y = top + box + 8
    pdf.set_line_width(0.5)
    pdf.line(left, bar_y, left + 20 * scale, bar_y)
    pdf.set_font("Helvetica", size=9)
    pdf.text(left, bar_y + 5, core_text(f"20 m (Maßstab ca. 1:{round(1000 / scale)})"))
    pdf.text(left + box - 4, top - 2, "N ^")
    pdf.set_y(bar_y + 10)
    pdf.multi_cell(
        0,
        5,
        core_text("Synthetische Demonstrationsdaten – kein amtlicher Nachweis. Erstellt am ")
        + f"{timezone.localtime():%d.%m.%Y %H:%M}.",
    )
    return bytes(pdf.output())
