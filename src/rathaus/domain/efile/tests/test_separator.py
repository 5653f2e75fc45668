import pytest

from rathaus.domain.efile.separator import is_blank, split_ranges


@pytest.mark.parametrize(
    ("blank", "expected"),
    [
        ([], []),
        ([False], [range(0, 1)]),
        ([False, False, False], [range(0, 3)]),
        ([False, True, False], [range(0, 1), range(2, 3)]),
        # a duplex scan: both sides of the separator sheet are blank
        ([False, False, True, True, False], [range(0, 2), range(4, 5)]),
        # blank pages at the start and end make no document
        ([True, False, True], [range(1, 2)]),
        ([True, True], []),
    ],
)
def test_a_batch_is_cut_at_blank_pages_which_are_dropped(blank: list[bool], expected: list[range]) -> None:
    assert split_ranges(blank) == expected


def _page(width: int, height: int, ink: list[tuple[int, int]]) -> list[int]:
    pixels = [255] * (width * height)
    for x, y in ink:
        pixels[y * width + x] = 0
    return pixels


def test_a_white_page_with_dark_scanner_edges_is_blank() -> None:
    """The outer 5 % (scanner edges, punch holes) are ignored."""
    edges = [(x, 0) for x in range(100)] + [(0, y) for y in range(100)] + [(2, 50), (97, 50)]
    assert is_blank(_page(100, 100, edges), width=100, height=100)


def test_a_page_with_a_line_of_text_is_not_blank() -> None:
    text = [(x, 50) for x in range(20, 80)] + [(x, 51) for x in range(20, 80)]  # 120 of 8,100 inner pixels
    assert not is_blank(_page(100, 100, text), width=100, height=100)


def test_a_few_specks_of_dust_still_count_as_blank() -> None:
    specks = [(30, 30), (60, 70), (45, 45)]
    assert is_blank(_page(100, 100, specks), width=100, height=100)


def test_pixels_must_match_the_size() -> None:
    with pytest.raises(ValueError, match="width"):
        is_blank([255] * 10, width=5, height=5)
