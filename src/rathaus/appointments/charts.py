"""A horizontal bar chart as plain numbers for an inline SVG (no script, no inline CSS: the CSP
allows neither). The page shows the same figures in a table next to it (WCAG 1.1.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 28
GAP = 12
LABEL_WIDTH = 240
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    value_x: int


def bar_chart(values: Sequence[tuple[str, float]], *, title: str) -> BarChart:
    largest = max((v for _, v in values), default=0.0) or 1.0
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=label[:40],
            value=round(value, 1),
            y=i * (BAR_HEIGHT + GAP),
            width=max(1, round(room * value / largest)) if value else 0,
            text_y=i * (BAR_HEIGHT + GAP) + BAR_HEIGHT // 2 + 5,
        )
        for i, (label, value) in enumerate(values)
    ]
    height = max(BAR_HEIGHT, len(bars) * (BAR_HEIGHT + GAP))
    return BarChart(
        title=title,
        bars=bars,
        width=WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        value_x=WIDTH - VALUE_WIDTH + 6,
    )
