"""Server-rendered pictures: the daily-totals bar chart of the cash office (SVG, always shown
together with a table of the same numbers)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from rathaus.kernel.money import format_eur


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
