"""What Tesseract's results say about a page: how sure the recognition was, whether the page
lies sideways, and which rotation its orientation detection (OSD) proposes.

Orientation detection costs most of a second recognition pass, so it runs only when the first
recognition shows the page is not upright (decision 0073):

- an upside-down page (and a page turned 90° counter-clockwise, which Tesseract reads as
  upside-down lines) gives garbage with a low confidence: clean upright text scores 90–96, the
  same page upside down 15–20 (measured on the generated letters of ``efile.scan_samples``);
- a page turned 90° clockwise is read correctly (Tesseract turns vertical lines itself), but
  its word boxes are taller than wide: the page would be shown sideways.

``read_tsv`` summarises Tesseract's TSV output (one row per layout element, level 5 = word)
into a ``PageReading``; ``osd_rotation`` reads the "Rotate: N" line of ``--psm 0``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

LOW_CONFIDENCE = 60.0  # mean word confidence (0–100, weighted by characters) below which OSD runs
SIDEWAYS_SHARE = 0.5  # share of characters in tall word boxes above which OSD runs
TALL_WORD_CHARS = 3  # only words this long say something by their box's shape ("I", "l" are tall)
# A sideways page read confidently is turned upright even if the turned reading is this much
# less sure: it is the same text, read the other way round.
SIDEWAYS_MARGIN = 5.0
WORD_LEVEL = "5"
ROTATIONS = (0, 90, 180, 270)


@dataclass(frozen=True)
class PageReading:
    """A page's recognition: ``characters`` recognised (outside white space), their mean
    ``confidence`` (0 when there are none) and the share of them in words whose box is taller
    than wide (``sideways_share``)."""

    characters: int
    confidence: float
    sideways_share: float

    @property
    def needs_orientation(self) -> bool:
        """Whether the page may not be upright, so OSD should look at it. A page without any
        recognised character has nothing to orient by."""
        if self.characters == 0:
            return False
        return self.confidence < LOW_CONFIDENCE or self.sideways_share > SIDEWAYS_SHARE

    def rotated_is_better(self, rotated: PageReading) -> bool:
        """Whether the recognition of the page turned as OSD proposed is kept instead of this
        one: it recognised something and is at least as sure, so an OSD mistake never makes the
        text worse. A sideways page Tesseract already read confidently is turned upright unless
        the turned reading is more than ``SIDEWAYS_MARGIN`` less sure."""
        if rotated.characters == 0:
            return False
        margin = SIDEWAYS_MARGIN if self.confidence >= LOW_CONFIDENCE else 0.0
        return rotated.confidence >= self.confidence - margin


def read_tsv(tsv: str) -> PageReading:
    """Summarise Tesseract's TSV output of one page (header row, tab-separated, ``conf`` −1
    for rows that are not words)."""
    characters = 0
    weighted = 0.0
    tall = 0
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != WORD_LEVEL or not text:
            continue
        try:
            confidence = float(row["conf"])
            width, height = int(row["width"]), int(row["height"])
        except (KeyError, TypeError, ValueError):
            continue
        if confidence < 0:
            continue
        length = len("".join(text.split()))
        characters += length
        weighted += confidence * length
        if length >= TALL_WORD_CHARS and height > width:
            tall += length
    if characters == 0:
        return PageReading(characters=0, confidence=0.0, sideways_share=0.0)
    return PageReading(
        characters=characters, confidence=weighted / characters, sideways_share=tall / characters
    )


_ROTATE = re.compile(r"^Rotate:\s*(\d+)\s*$", re.MULTILINE)


def osd_rotation(report: str) -> int | None:
    """The clockwise rotation (0, 90, 180 or 270 degrees) that turns the page upright, from
    the report of ``tesseract --psm 0``; None when it has none (too little text to tell)."""
    match = _ROTATE.search(report)
    if match is None:
        return None
    rotation = int(match.group(1))
    return rotation if rotation in ROTATIONS else None
