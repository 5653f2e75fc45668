"""Splitting a batch scan at separator sheets (blank pages between letters).

A mail room scans a stack of letters in one go with a blank sheet between two letters; the
scan is then cut at every blank page, the blank pages are dropped, and each run of content
pages becomes one document. Consecutive blank pages (both sides of a separator sheet in a
duplex scan) count as one separator; blank pages at the start or end produce no document.

A page counts as blank when at most ``BLANK_INK_RATIO`` of its inner area (a margin of
``MARGIN_RATIO`` on each side is ignored: scanner edges and punch holes) is dark.
"""

from __future__ import annotations

from collections.abc import Sequence

BLANK_INK_RATIO = 0.0005
MARGIN_RATIO = 0.05
DARK_BELOW = 200  # 8-bit grey value; darker pixels count as ink (anti-aliased strokes are grey)


def is_blank(pixels: Sequence[int], *, width: int, height: int) -> bool:
    """Whether a greyscale page (row-major 8-bit values) carries no content."""
    if width <= 0 or height <= 0 or len(pixels) != width * height:
        raise ValueError("pixels must have width × height values")
    left, right = int(width * MARGIN_RATIO), width - int(width * MARGIN_RATIO)
    top, bottom = int(height * MARGIN_RATIO), height - int(height * MARGIN_RATIO)
    inner = (right - left) * (bottom - top)
    if inner <= 0:
        return True
    dark = 0
    for row in range(top, bottom):
        start = row * width
        dark += sum(1 for value in pixels[start + left : start + right] if value < DARK_BELOW)
    return dark <= inner * BLANK_INK_RATIO


def split_ranges(blank: Sequence[bool]) -> list[range]:
    """Page index ranges of the documents in a batch whose pages are ``blank`` or not.

    >>> split_ranges([False, False, True, False, True, True, False])
    [range(0, 2), range(3, 4), range(6, 7)]
    """
    parts: list[range] = []
    start: int | None = None
    for index, empty in enumerate(blank):
        if empty:
            if start is not None:
                parts.append(range(start, index))
                start = None
        elif start is None:
            start = index
    if start is not None:
        parts.append(range(start, len(blank)))
    return parts
