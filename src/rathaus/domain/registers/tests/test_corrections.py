"""The correctable fields and their values."""

import datetime

import pytest

from rathaus.domain.registers.corrections import CORRECTABLE, InvalidCorrection, Register, parse_value

TODAY = datetime.date(2026, 1, 1)


def test_names_and_birth_belong_to_the_civil_status_register_nationality_to_the_residents():
    assert CORRECTABLE["family_name"].register is Register.CIVIL_STATUS
    assert CORRECTABLE["date_of_birth"].register is Register.CIVIL_STATUS
    assert CORRECTABLE["nationality"].register is Register.RESIDENTS
    assert "address" not in CORRECTABLE and "date_of_death" not in CORRECTABLE


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("family_name", "  Müller-\tLüdenscheidt ", "Müller- Lüdenscheidt"),
        ("date_of_birth", "1990-02-28", "1990-02-28"),
        ("date_of_birth", "28.02.1990", "1990-02-28"),
        ("sex", "W", "w"),
        ("sex", "Divers", "d"),
        ("nationality", "tur", "TUR"),
        ("birth_name", "", ""),
    ],
)
def test_values_are_normalised(field, raw, value):
    assert parse_value(field, raw, today=TODAY) == value


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("address", "Am Wall 1"),  # not correctable
        ("tax_id", "12345678901"),
        ("family_name", ""),
        ("family_name", "R2D2"),
        ("date_of_birth", "31.02.1990"),
        ("date_of_birth", "2026-01-02"),  # in the future
        ("sex", "q"),
        ("nationality", "Deutsch"),
        ("given_names", "x" * 201),
    ],
)
def test_bad_values_are_refused_with_a_german_message(field, raw):
    with pytest.raises(InvalidCorrection) as refused:
        parse_value(field, raw, today=TODAY)
    assert refused.value.args[0]
