import pytest

from rathaus.domain.efile.ocr_reading import PageReading, osd_rotation, read_tsv

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def _tsv(*words: tuple[str, float, int, int]) -> str:
    """Tesseract's TSV of a page with ``words`` (text, confidence, width, height) and the
    layout rows (conf −1) Tesseract writes around them."""
    rows = [HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t", "4\t1\t1\t1\t1\t0\t10\t10\t900\t40\t-1\t"]
    for number, (text, confidence, width, height) in enumerate(words, start=1):
        rows.append(f"5\t1\t1\t1\t1\t{number}\t10\t10\t{width}\t{height}\t{confidence}\t{text}")
    return "\n".join(rows) + "\n"


def test_an_upright_page_read_with_confidence_needs_no_orientation() -> None:
    reading = read_tsv(_tsv(("Antrag", 96.0, 200, 40), ("auf", 93.5, 90, 30), ("Wohngeld", 95.0, 260, 40)))
    assert reading.characters == 17
    assert reading.confidence == pytest.approx((96.0 * 6 + 93.5 * 3 + 95.0 * 8) / 17)
    assert reading.sideways_share == 0
    assert not reading.needs_orientation


def test_garbage_with_low_confidence_needs_orientation() -> None:
    """An upside-down page: Tesseract still finds "words", but is unsure of them."""
    reading = read_tsv(_tsv(("usweaug", 18.0, 200, 40), ("JpeIsssueH", 21.0, 280, 40)))
    assert reading.needs_orientation


def test_words_in_tall_boxes_mean_a_sideways_page_even_when_read_confidently() -> None:
    reading = read_tsv(_tsv(("Antrag", 96.0, 40, 200), ("Wohngeld", 95.0, 40, 260), ("I", 90.0, 5, 40)))
    assert reading.sideways_share == pytest.approx(14 / 15)
    assert reading.needs_orientation


def test_short_tall_words_do_not_make_a_page_sideways() -> None:
    """ "I", "l", "11" are taller than wide on an upright page."""
    reading = read_tsv(_tsv(("I", 95.0, 5, 40), ("11", 95.0, 20, 40), ("Bremen", 95.0, 200, 40)))
    assert reading.sideways_share == 0
    assert not reading.needs_orientation


def test_a_page_without_text_has_nothing_to_orient_by() -> None:
    reading = read_tsv(_tsv())
    assert reading == PageReading(characters=0, confidence=0.0, sideways_share=0.0)
    assert not reading.needs_orientation


def test_the_turned_reading_is_kept_only_when_it_is_at_least_as_sure() -> None:
    first = PageReading(characters=200, confidence=20.0, sideways_share=0.0)
    assert first.rotated_is_better(PageReading(characters=210, confidence=95.0, sideways_share=0.0))
    assert not first.rotated_is_better(PageReading(characters=50, confidence=12.0, sideways_share=0.0))
    assert not first.rotated_is_better(PageReading(characters=0, confidence=0.0, sideways_share=0.0))
    # a poor page OSD turns into other garbage stays as it was
    poor = PageReading(characters=80, confidence=22.0, sideways_share=0.0)
    assert not poor.rotated_is_better(PageReading(characters=60, confidence=19.0, sideways_share=0.0))


def test_a_sideways_page_read_confidently_is_turned_upright_if_the_turned_reading_is_about_as_sure() -> None:
    sideways = PageReading(characters=200, confidence=95.0, sideways_share=1.0)
    assert sideways.rotated_is_better(PageReading(characters=200, confidence=95.0, sideways_share=0.0))
    assert sideways.rotated_is_better(PageReading(characters=198, confidence=91.0, sideways_share=0.0))
    assert not sideways.rotated_is_better(PageReading(characters=150, confidence=60.0, sideways_share=0.0))


@pytest.mark.parametrize(
    ("report", "rotation"),
    [
        (
            "Page number: 0\nOrientation in degrees: 180\nRotate: 180\nOrientation confidence: 19.72\n"
            "Script: Latin\nScript confidence: 5.58\n",
            180,
        ),
        ("Page number: 0\nOrientation in degrees: 270\nRotate: 90\nOrientation confidence: 18.94\n", 90),
        ("Page number: 0\nOrientation in degrees: 0\nRotate: 0\n", 0),
        ("Too few characters. Skipping this page\n", None),
        ("Rotate: 45\n", None),
    ],
)
def test_the_rotation_is_read_from_the_osd_report(report: str, rotation: int | None) -> None:
    assert osd_rotation(report) == rotation
