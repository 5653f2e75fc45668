import pytest

from rathaus.domain.efile.aktenzeichen import (
    Aktenzeichen,
    InvalidAktenzeichen,
    office_code_for,
    parse_aktenzeichen,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("D017 32.10.05-2026/0042", Aktenzeichen("D017", "32.10.05", 2026, 42)),
        ("  d017   32.10.05-2026/0042 ", Aktenzeichen("D017", "32.10.05", 2026, 42)),
        ("MIG 1-1999/123456", Aktenzeichen("MIG", "1", 1999, 123456)),
        ("D1 1.2.3.4.5.6-2030/0001", Aktenzeichen("D1", "1.2.3.4.5.6", 2030, 1)),
    ],
)
def test_canonical_references_parse_into_their_parts(text, expected):
    """Blanks and lower case are tolerated; the parts come back as typed values."""
    assert parse_aktenzeichen(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "32.10.05-2026/0042",  # no office code
        "D017 32.10.05/2026/0042",
        "D017 32..05-2026/0042",
        "D017 32.10.05-26/0042",  # two-digit year
        "D017 32.10.05-2026/42",  # serial shorter than four digits
        "D017 1.2.3.4.5.6.7-2026/0001",  # seven levels
        "1D 32-2026/0001",  # office code must start with a letter
        "D017 32.10.05-2026/0000",  # serial 0
        "D017 32.10.05-1899/0001",
    ],
)
def test_malformed_references_are_refused_with_a_german_message(text):
    """Every malformed reference raises InvalidAktenzeichen, never a bare ValueError from int()."""
    with pytest.raises(InvalidAktenzeichen) as caught:
        parse_aktenzeichen(text)
    assert "Aktenzeichen" in str(caught.value) or "außerhalb" in str(caught.value)


@pytest.mark.parametrize(
    ("reference", "text"),
    [
        (Aktenzeichen("D017", "32.10.05", 2026, 42), "D017 32.10.05-2026/0042"),
        (Aktenzeichen("D017", "32", 2026, 12345), "D017 32-2026/12345"),
    ],
)
def test_format_pads_the_serial_to_four_digits_and_round_trips(reference, text):
    """str() is the canonical form and parses back to the same value."""
    assert str(reference) == text
    assert parse_aktenzeichen(text) == reference


@pytest.mark.parametrize(("office_id", "code"), [(1, "D001"), (17, "D017"), (4711, "D4711")])
def test_office_code_is_d_and_the_office_number(office_id, code):
    """Office numbers are zero-padded to three digits."""
    assert office_code_for(office_id) == code


def test_office_code_for_invalid_number_is_refused():
    """Office number 0 cannot occur in a reference."""
    with pytest.raises(InvalidAktenzeichen):
        office_code_for(0)
