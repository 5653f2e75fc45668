"""The OCR pipeline (issue 13): one recognition per upright page, orientation detection only for
pages that are not upright, every upload format to a validated PDF/A-2b. Real Tesseract."""

import io

import img2pdf
import pypdfium2
import pytest
from pikepdf.pdfa import validate_written
from PIL import Image, ImageStat

from rathaus.efile import ocr, services, viewer
from rathaus.efile.models import Document
from rathaus.efile.scan_samples import render_letter
from rathaus.kernel import audit

from .factories import make_case, make_office

LETTER = ["Freie Hansestadt Bremen", "Antrag auf Wohngeld", "Kundennummer 4711", "Mit freundlichen Grüßen"]


def _image(
    lines: list[str] = LETTER, *, turned: int = 0, mode: str = "L", image_format: str = "PNG"
) -> bytes:
    """The letter scanned turned ``turned`` degrees counter-clockwise, in ``mode`` and format."""
    with Image.open(io.BytesIO(render_letter(lines))) as page:
        picture = page.rotate(turned, expand=True).convert(mode)
        buffer = io.BytesIO()
        picture.save(buffer, image_format, dpi=page.info["dpi"])
    return buffer.getvalue()


def _pdfa_pages(pdf: bytes) -> int:
    assert validate_written(io.BytesIO(pdf), "2b").passed
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def _ink_under_first_word(pdf: bytes) -> float:
    """How dark the scan is under the first recognised word of the text layer (0: white), read
    in the page's own, unturned space, where the text layer and the image are both drawn."""
    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    try:
        page.set_rotation(0)
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(index) for index in range(min(textpage.count_chars(), 5))]
        textpage.close()
        left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
        image = page.render(scale=2).to_pil().convert("L")
        height = page.get_height()
        word = image.crop(
            (round(left * 2), round((height - top) * 2), round(right * 2), round((height - bottom) * 2))
        )
        return 1 - ImageStat.Stat(word).mean[0] / 255
    finally:
        page.close()
        document.close()


def test_an_upright_page_is_recognised_once_without_orientation_detection():
    result = ocr.recognise(_image(), content_type="image/png")
    assert [(p.orientation_checked, p.rotation) for p in result.pages] == [(False, 0)]
    assert result.pages[0].confidence > 80
    assert "Wohngeld" in result.text and "Kundennummer 4711" in result.text
    assert _pdfa_pages(result.pdf) == 1
    assert _ink_under_first_word(result.pdf) > 0.05


@pytest.mark.parametrize(
    ("turned", "rotation"),
    [
        (180, 180),  # upside down: read as garbage until turned
        (90, 90),  # counter-clockwise: read as upside-down lines until turned
        (270, 270),  # clockwise: Tesseract reads it, but the page would be shown sideways
    ],
)
def test_a_turned_page_is_detected_turned_upright_and_its_text_layer_lies_on_its_words(turned, rotation):
    result = ocr.recognise(_image(turned=turned), content_type="image/png")
    assert [(p.orientation_checked, p.rotation) for p in result.pages] == [(True, rotation)]
    assert result.turned_pages == [1]
    assert "Wohngeld" in result.text and "Kundennummer 4711" in result.text
    assert _pdfa_pages(result.pdf) == 1
    assert _ink_under_first_word(result.pdf) > 0.05


def test_pages_are_not_turned_when_rotation_is_switched_off(settings):
    settings.EFILE_OCR_ROTATE_PAGES = False
    result = ocr.recognise(_image(turned=180), content_type="image/png")
    assert [(p.orientation_checked, p.rotation) for p in result.pages] == [(False, 0)]
    assert "Wohngeld" not in result.text


@pytest.mark.django_db
def test_staff_see_an_upside_down_scan_upright_and_the_audit_log_says_it_was_turned(
    django_capture_on_commit_callbacks,
):
    """Through the task: the searchable version is shown upright in the viewer (read again by
    OCR, the viewer's page needs no turning), the original stays as it was scanned."""
    office = make_office()
    case = make_case(office)
    with django_capture_on_commit_callbacks(execute=True):
        document = services.scan_intake(
            office=office, case=case, content=_image(turned=180), filename="kopfueber.png", by=None
        )
    document.refresh_from_db()
    assert document.ocr_status == Document.OcrStatus.DONE, document.ocr_error
    searchable = document.versions.order_by("number").last()
    assert "Wohngeld" in searchable.text
    shown = ocr.recognise(viewer.render_page(searchable, 1), content_type="image/png")
    assert [(p.orientation_checked, p.rotation) for p in shown.pages] == [(False, 0)]
    assert "Wohngeld" in shown.text
    entry = audit.entries_for_target("efile.case", case.pk).get(action="efile.document_ocr_done")
    assert entry.details["turned_pages"] == [1]


def test_a_scanned_pdf_is_rendered_once_per_page_and_only_its_upside_down_page_is_checked():
    scan = img2pdf.convert([_image(["Erste Seite", "Antrag auf Wohngeld"]), _image(LETTER, turned=180)])
    result = ocr.recognise(scan, content_type="application/pdf")
    assert [(p.number, p.orientation_checked, p.rotation) for p in result.pages] == [
        (1, False, 0),
        (2, True, 180),
    ]
    first, second = result.text.split("Erste Seite")[1].split("Kundennummer")
    assert "Wohngeld" in first and "4711" in second
    assert _pdfa_pages(result.pdf) == 2


def _tiff_g4(pages: list[list[str]]) -> bytes:
    frames = [Image.open(io.BytesIO(render_letter(lines, dpi=300))).convert("1") for lines in pages]
    buffer = io.BytesIO()
    frames[0].save(
        buffer, "TIFF", save_all=True, append_images=frames[1:], compression="group4", dpi=(300, 300)
    )
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "content_type", "pages"),
    [
        (lambda: _image(image_format="JPEG", mode="RGB"), "image/jpeg", 1),
        (lambda: _image(image_format="JPEG", mode="CMYK"), "image/jpeg", 1),
        (lambda: _image(mode="RGBA"), "image/png", 1),
        (lambda: _image(mode="P"), "image/png", 1),
        (lambda: _tiff_g4([LETTER, ["Zweite Seite", "Antrag auf Wohngeld"]]), "image/tiff", 2),
    ],
    ids=["jpeg", "jpeg-cmyk", "png-alpha", "png-palette", "tiff-group4-two-pages"],
)
def test_every_upload_format_becomes_a_validated_pdfa_with_its_text(make, content_type, pages):
    result = ocr.recognise(make(), content_type=content_type)
    assert "Wohngeld" in result.text
    assert len(result.pages) == pages
    assert not any(page.orientation_checked for page in result.pages)
    assert _pdfa_pages(result.pdf) == pages
