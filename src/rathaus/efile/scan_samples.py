"""Synthetic scans: German letters rendered to images with Pillow, for tests, demo and benchmark.

Nothing is downloaded: the text is made here and drawn with DejaVu Sans where Debian's
fonts-dejavu-core is installed, else with Pillow's built-in font (which lacks umlaut glyphs,
so recognition of ä/ö/ü is then worse; plain words are still read).
"""

from __future__ import annotations

import io
import random
from pathlib import Path

LETTER_LINES: tuple[str, ...] = (
    "Freie Hansestadt Bremen",
    "Sehr geehrte Damen und Herren,",
    "hiermit beantrage ich die Verlängerung meiner Aufenthaltserlaubnis.",
    "Die Unterlagen zur Meldebescheinigung reiche ich nach.",
    "Bitte teilen Sie mir den Termin schriftlich mit.",
    "Mit freundlichen Grüßen",
)

_WORDS = [
    "Antrag",
    "Bescheid",
    "Wohngeld",
    "Meldebescheinigung",
    "Aufenthaltserlaubnis",
    "Personalausweis",
    "Widerspruch",
    "Frist",
    "Unterlagen",
    "Nachweis",
    "Einkommen",
    "Miete",
    "Vermieter",
    "Haushalt",
    "Gebühr",
    "Zahlung",
    "Termin",
    "Behörde",
    "Stadtteil",
    "Anschrift",
    "Geburtsurkunde",
    "Eheschließung",
    "Verlängerung",
    "Begründung",
    "Entscheidung",
    "Sachbearbeitung",
    "Vorgang",
    "Akte",
    "Schreiben",
    "Eingang",
    "Ausgang",
    "Bremen",
    "Weserstraße",
    "Hafen",
    "Schule",
    "bitte",
    "danke",
    "hiermit",
    "beantrage",
    "teile",
    "mit",
    "freundlichen",
    "Grüßen",
    "geehrte",
    "Damen",
    "Herren",
    "zum",
    "vom",
    "für",
    "über",
    "unter",
    "nach",
    "bis",
    "seit",
]

_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)


def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    for path in _FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def random_lines(*, seed: int, lines: int = 20, words_per_line: int = 7) -> list[str]:
    """Deterministic German-looking lines of text (not sentences) for the benchmark."""
    rng = random.Random(seed)  # noqa: S311 (synthetic text, not security)
    result = []
    for _ in range(lines):
        words = [rng.choice(_WORDS) for _ in range(words_per_line)]
        words[0] = words[0].capitalize()
        result.append(" ".join(words))
    return result


def render_letter(
    lines: list[str] | tuple[str, ...] = LETTER_LINES,
    *,
    dpi: int = 200,
    full_page: bool = False,
    image_format: str = "PNG",
) -> bytes:
    """``lines`` as black text on a white page (A4 width; A4 height when ``full_page``)."""
    from PIL import Image, ImageDraw

    width = round(210 / 25.4 * dpi)
    line_height = round(dpi * 0.22)
    top = round(dpi * 0.6)
    height = round(297 / 25.4 * dpi) if full_page else top * 2 + line_height * len(lines)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = _font(round(dpi * 0.12))  # about 11 pt
    for index, line in enumerate(lines):
        draw.text((round(dpi * 0.8), top + index * line_height), line, font=font, fill=0)
    buffer = io.BytesIO()
    image.save(buffer, image_format, dpi=(dpi, dpi))
    return buffer.getvalue()
