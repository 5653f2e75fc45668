"""Leitweg-ID (KoSIT Formatspezifikation Leitweg-ID 2.0): format and MOD 97-10 check digits."""

import pytest

from rathaus.domain.registers.leitweg_id import (
    InvalidLeitwegId,
    is_valid_leitweg_id,
    leitweg_check_digits,
    leitweg_id_build,
    validate_leitweg_id,
)


@pytest.mark.parametrize(
    ("coarse", "fine", "expected"),
    [
        ("04011000", "1234512345", "04011000-1234512345-06"),  # example of the KoSIT specification
        ("991", "33333TEST", "991-33333TEST-33"),  # the XRechnung test buyer's ID
    ],
)
def test_published_examples_get_their_published_check_digits(coarse: str, fine: str, expected: str) -> None:
    """Check digits are computed with ISO/IEC 7064 MOD 97-10, letters as A=10 … Z=35."""
    assert leitweg_id_build(coarse, fine) == expected
    assert validate_leitweg_id(expected) == expected


def test_without_fine_addressing_the_id_has_two_parts() -> None:
    """The Feinadressierung is optional."""
    value = leitweg_id_build("04011000")
    assert value.count("-") == 1
    assert is_valid_leitweg_id(value)


def test_lower_case_letters_are_normalised() -> None:
    """Letters in the Feinadressierung are compared upper-case."""
    assert validate_leitweg_id(" 991-33333test-33 ") == "991-33333TEST-33"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("04011000-1234512345-07", "Prüfziffer"),
        ("04011000-1234512354-06", "Prüfziffer"),  # swapped digits are caught
        ("0401100012345-1-06", "Form"),  # coarse part longer than 12 digits
        ("04011000_1234512345_06", "Form"),
        ("04011000-12345/12345-06", "Form"),
        ("", "Form"),
    ],
)
def test_invalid_ids_are_refused(value: str, message: str) -> None:
    """A wrong check digit or a malformed ID gets a precise German message."""
    with pytest.raises(InvalidLeitwegId, match=message):
        validate_leitweg_id(value)


def test_check_digits_refuse_a_bad_coarse_part() -> None:
    """The Grobadressierung is digits only."""
    with pytest.raises(InvalidLeitwegId, match="Grobadressierung"):
        leitweg_check_digits("04A")
