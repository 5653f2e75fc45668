"""One page through Tesseract: recognition once, orientation detection only when needed.

Each page is recognised in one Tesseract run that writes everything needed at once: the
invisible text layer (``textonly_pdf``: the text as a PDF page without the image, laid over
the scan later), the plain text and the per-word results (TSV). Those say whether the page is
upright (``rathaus.domain.efile.ocr_reading``); only when they do not does orientation detection
(``--psm 0``, about two thirds of a recognition) run, and the page is recognised again turned as
it proposes. The turned recognition is kept when it is at least as sure as the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rathaus.domain.efile.ocr_reading import PageReading, osd_rotation, read_tsv

from .errors import OcrFailed
from .images import PageImage, write_page
from .runner import Runner

# Pillow turns counter-clockwise; OSD's rotations are clockwise.
_TURN = {90: "ROTATE_270", 180: "ROTATE_180", 270: "ROTATE_90"}


@dataclass(frozen=True)
class PageText:
    """A recognised page: its text layer (a one-page PDF of ``size`` points, as Tesseract saw
    the page), its text, the recognition's summary, whether orientation detection ran, and the
    clockwise rotation (0, 90, 180, 270) that turned the scan upright (0: as scanned)."""

    layer: Path
    text: str
    reading: PageReading
    orientation_checked: bool
    rotation: int


def recognise_page(image: PageImage, *, runner: Runner, language: str, orient: bool) -> PageText:
    """Recognise ``image``; with ``orient``, turn it upright first if it is not."""
    first = _recognise(image, runner=runner, language=language, stem=image.path.stem + "-ocr")
    if not orient or not first.reading.needs_orientation:
        return first
    rotation = _orientation(image, runner=runner)
    checked = PageText(first.layer, first.text, first.reading, orientation_checked=True, rotation=0)
    if not rotation:
        return checked
    turned = _turned(image, rotation)
    second = _recognise(turned, runner=runner, language=language, stem=turned.path.stem + "-ocr")
    if not first.reading.rotated_is_better(second.reading):
        return checked
    return PageText(second.layer, second.text, second.reading, orientation_checked=True, rotation=rotation)


def _recognise(image: PageImage, *, runner: Runner, language: str, stem: str) -> PageText:
    base = image.path.with_name(stem)
    runner.checked(
        [
            "tesseract", str(image.path), str(base),
            "-l", language, "--dpi", str(image.dpi),
            "-c", "textonly_pdf=1",
            "pdf", "txt", "tsv",
        ]
    )  # fmt: skip
    layer, text, tsv = (base.with_suffix(suffix) for suffix in (".pdf", ".txt", ".tsv"))
    if not layer.exists():
        raise OcrFailed("Die Texterkennung ist fehlgeschlagen: Tesseract hat keine Textebene geschrieben.")
    return PageText(
        layer=layer,
        text=_read(text),
        reading=read_tsv(_read(tsv)),
        orientation_checked=False,
        rotation=0,
    )


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _orientation(image: PageImage, *, runner: Runner) -> int:
    """The clockwise rotation OSD proposes; 0 when it cannot tell (too little text)."""
    finished = runner.run(
        ["tesseract", str(image.path), "stdout", "--psm", "0", "-l", "osd", "--dpi", str(image.dpi)]
    )
    if finished.returncode != 0:
        return 0
    return osd_rotation(finished.stdout) or 0


def _turned(image: PageImage, rotation: int) -> PageImage:
    from PIL import Image

    with Image.open(image.path) as scan:
        turned = scan.transpose(getattr(Image.Transpose, _TURN[rotation]))
    return write_page(turned, image.path.with_name(f"{image.path.stem}-r{rotation}"), dpi=image.dpi)
