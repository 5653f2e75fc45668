"""Server-rendered pictures: the parcel map (SVG for pages, vector drawing in the PDF) and
the daily-totals bar chart (SVG, always shown together with a table of the same numbers)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from rathaus.domain.cadastre.parcels import bounding_box
from rathaus.kernel.money import format_eur

Polygon = list[list[float]]


def _frame(polygons: list[Polygon], size: float, margin: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bounding_box([tuple((p[0], p[1]) for p in poly) for poly in polygons])
    scale = (size - 2 * margin) / max(x1 - x0, y1 - y0, 1.0)
    return x0, y1, scale, margin


def _centre(poly: Polygon) -> tuple[float, float]:
    return sum(p[0] for p in poly) / len(poly), sum(p[1] for p in poly) / len(poly)


def parcel_map_svg(*, parcel: Any, neighbours: Sequence[Any], title: str, size: int = 360) -> str:
    """The parcel (highlighted) and its neighbours with their numbers; north is up."""
    polys: list[Polygon] = [parcel.polygon] + [n.polygon for n in neighbours]  # type: ignore[attr-defined]
    x0, ytop, scale, margin = _frame(polys, size, 20)

    def pt(p: list[float]) -> str:
        return f"{margin + (p[0] - x0) * scale:.1f},{margin + (ytop - p[1]) * scale:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'role="img" aria-labelledby="map-title"><title id="map-title">{escape(title)}</title>'
        f'<rect width="{size}" height="{size}" fill="#ffffff"/>'
    ]
    for item in [*neighbours, parcel]:
        own = item is parcel
        points = " ".join(pt(p) for p in item.polygon)  # type: ignore[attr-defined]
        fill = "#f7d774" if own else "#eef2f5"
        parts.append(
            f'<polygon points="{points}" fill="{fill}" stroke="#1b2a38" stroke-width="{2 if own else 1}"/>'
        )
        cx, cy = _centre(item.polygon)  # type: ignore[attr-defined]
        label = pt([cx, cy]).split(",")
        parts.append(
            f'<text x="{label[0]}" y="{label[1]}" font-size="14" text-anchor="middle" fill="#1b2a38" '
            f'font-family="sans-serif">{item.number}</text>'  # type: ignore[attr-defined]
        )
    parts.append(
        f'<text x="{size - 16}" y="18" font-size="14" text-anchor="middle" '
        'font-family="sans-serif">N ↑</text></svg>'
    )
    return "".join(parts)


def daily_totals_svg(
    rows: list[tuple[datetime.date, Decimal]], *, title: str, width: int = 640, height: int = 220
) -> str:
    """Bars per day; the page shows the same numbers in a table (the chart is decorative for
    screen readers beyond its title)."""
    top = max((amount for _, amount in rows), default=Decimal("0")) or Decimal("1")
    bar_w = (width - 60) / max(len(rows), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>'
        f'<line x1="50" y1="{height - 30}" x2="{width - 10}" y2="{height - 30}" stroke="#1b2a38"/>'
    ]
    for i, (day, amount) in enumerate(rows):
        h = float(amount / top) * (height - 60)
        x = 50 + i * bar_w + 2
        parts.append(
            f'<rect x="{x:.1f}" y="{height - 30 - h:.1f}" width="{max(bar_w - 4, 1):.1f}" '
            f'height="{h:.1f}" fill="#0b5394">'
            f"<title>{day:%d.%m.}: {format_eur(amount, 'de')}</title></rect>"
            f'<text x="{x + bar_w / 2 - 2:.1f}" y="{height - 12}" font-size="11" text-anchor="middle" '
            f'font-family="sans-serif">{day:%d.%m.}</text>'
        )
    top_label = format_eur(top, "de")
    parts.append(f'<text x="4" y="20" font-size="11" font-family="sans-serif">{top_label}</text></svg>')
    return "".join(parts)
