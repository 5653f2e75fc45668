"""Steuerliche Identifikationsnummer (§ 139b AO): check digit and format rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.registers.tax_id import (
    TAX_ID_SPACE,
    InvalidTaxId,
    is_valid_tax_id,
    tax_id_check_digit,
    tax_id_from_index,
    validate_tax_id,
)


def test_check_digit_of_the_bzst_example_number() -> None:
    """86095742719 is the example IdNr the Bundeszentralamt für Steuern publishes."""
    assert tax_id_check_digit("8609574271") == "9"
    assert validate_tax_id("86 095 742 719") == "86095742719"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("8609574271", "genau 11 Ziffern"),
        ("860957427190", "genau 11 Ziffern"),
        ("8609574271a", "genau 11 Ziffern"),
        ("06095742719", "nicht mit 0"),
        ("12345678901", "genau eine Ziffer doppelt"),  # all ten digits distinct
        ("11223456789", "genau eine Ziffer doppelt"),  # two digits repeated
        ("11112345670", "genau eine Ziffer doppelt"),  # one digit four times
        ("86095742718", "Prüfziffer"),
    ],
)
def test_invalid_numbers_are_refused_with_the_rule_they_break(value: str, message: str) -> None:
    """Each format rule has its own message, so a clerk knows what to correct."""
    with pytest.raises(InvalidTaxId, match=message):
        validate_tax_id(value)


def test_a_digit_three_times_in_a_row_is_refused() -> None:
    """Since 2016 a digit may occur three times, but not at three consecutive positions."""
    body = "1112345678"
    with pytest.raises(InvalidTaxId, match="dreimal direkt"):
        validate_tax_id(body + tax_id_check_digit(body))
    spread = "1121345678"
    assert is_valid_tax_id(spread + tax_id_check_digit(spread))


def test_first_numbers_of_the_numbering_are_distinct_and_valid() -> None:
    """The numbering hands out unique valid IdNr without remembering earlier ones."""
    numbers = [tax_id_from_index(i, offset=99) for i in range(20_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(is_valid_tax_id(n) for n in numbers)


@given(st.integers(min_value=0, max_value=TAX_ID_SPACE - 1), st.integers(min_value=0, max_value=10**9))
def test_every_index_gives_a_valid_number(index: int, offset: int) -> None:
    """Any index in range, with any offset, yields a valid IdNr."""
    assert is_valid_tax_id(tax_id_from_index(index, offset=offset))


def test_index_outside_the_space_is_refused() -> None:
    """There are only TAX_ID_SPACE numbers in the numbering; beyond it uniqueness would break."""
    with pytest.raises(ValueError, match="index must be"):
        tax_id_from_index(TAX_ID_SPACE)
