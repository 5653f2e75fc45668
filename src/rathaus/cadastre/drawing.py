"""The parcel map for pages: the parcel (highlighted) and its neighbours as inline SVG, north up
(the PDF draws the same map as vector polygons, ``pdfs``)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from rathaus.domain.cadastre.parcels import bounding_box

from .models import Parcel

Polygon = list[list[float]]


def _frame(polygons: list[Polygon], size: float, margin: float) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = bounding_box([tuple((p[0], p[1]) for p in poly) for poly in polygons])
    scale = (size - 2 * margin) / max(x1 - x0, y1 - y0, 1.0)
    return x0, y1, scale, margin


def _centre(poly: Polygon) -> tuple[float, float]:
    return sum(p[0] for p in poly) / len(poly), sum(p[1] for p in poly) / len(poly)


def parcel_map_svg(*, parcel: Parcel, neighbours: Sequence[Parcel], title: str, size: int = 360) -> str:
    """The parcel (highlighted) and its neighbours with their numbers; north is up."""
    polys: list[Polygon] = [parcel.polygon] + [n.polygon for n in neighbours]
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
        points = " ".join(pt(p) for p in item.polygon)
        fill = "#f7d774" if own else "#eef2f5"
        parts.append(
            f'<polygon points="{points}" fill="{fill}" stroke="#1b2a38" stroke-width="{2 if own else 1}"/>'
        )
        cx, cy = _centre(item.polygon)
        label = pt([cx, cy]).split(",")
        parts.append(
            f'<text x="{label[0]}" y="{label[1]}" font-size="14" text-anchor="middle" fill="#1b2a38" '
            f'font-family="sans-serif">{item.number}</text>'
        )
    parts.append(
        f'<text x="{size - 16}" y="18" font-size="14" text-anchor="middle" '
        'font-family="sans-serif">N ↑</text></svg>'
    )
    return "".join(parts)
