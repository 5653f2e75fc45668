"""Euro helpers: no floats, explicit rounding, exact splitting, German display."""

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.money import (
    AmountSyntaxError,
    eur,
    format_eur,
    parse_eur,
    quantize_cents,
    round_down_to_euro,
    split_evenly,
)

cents = st.integers(min_value=-(10**12), max_value=10**12).map(lambda c: Decimal(c) / 100)


def test_float_is_refused_for_money():
    """A float never becomes money: TypeError, whatever its value."""
    with pytest.raises(TypeError, match="float"):
        eur(0.1)  # type: ignore[arg-type]


def test_bool_is_refused_for_money():
    """True is an int in Python but never an amount."""
    with pytest.raises(TypeError):
        eur(True)


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1,5"])
def test_text_that_is_not_an_amount_is_refused(value):
    """Strings must be decimal numbers with a point; NaN and infinity are not amounts."""
    with pytest.raises(ValueError):
        eur(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("-1.005", "-1.01"), (3, "3.00"), (Decimal("2.5"), "2.50")],
)
def test_eur_rounds_half_up_to_cents_by_default(value, expected):
    """Kaufmännische Rundung (DIN 1333): x.xx5 rounds away from zero."""
    assert eur(value) == Decimal(expected)
    assert str(eur(value)) == expected


def test_rounding_mode_is_explicit():
    """Other legal rules can ask for other modes, e.g. banker's rounding or truncation."""
    assert quantize_cents("0.125", ROUND_HALF_EVEN) == Decimal("0.12")
    assert eur("0.129", rounding=ROUND_DOWN) == Decimal("0.12")


@pytest.mark.parametrize(
    ("value", "expected"), [("12345.99", "12345"), ("12345", "12345"), ("0.99", "0"), ("-0.5", "-1")]
)
def test_round_down_to_euro_as_in_32a_estg(value, expected):
    """§ 32a Abs. 1 EStG: taxable income is rounded down to a full euro."""
    assert round_down_to_euro(value) == Decimal(expected)


def test_split_evenly_gives_leftover_cents_to_first_parts():
    """10,00 € in three parts: 3,34 + 3,33 + 3,33."""
    assert split_evenly(Decimal("10.00"), 3) == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]


def test_split_evenly_refuses_fractions_of_cents_and_bad_counts():
    """Splitting only works on whole cents and a positive number of parts."""
    with pytest.raises(ValueError):
        split_evenly(Decimal("1.001"), 2)
    with pytest.raises(ValueError):
        split_evenly(Decimal("1.00"), 0)


@given(total=cents, n=st.integers(min_value=1, max_value=50))
def test_split_evenly_parts_sum_exactly_and_differ_by_at_most_a_cent(total, n):
    """Whatever the amount and count, nothing is lost or created by splitting."""
    parts = split_evenly(total, n)
    assert len(parts) == n
    assert sum(parts, Decimal("0")) == total
    assert max(parts) - min(parts) <= Decimal("0.01")
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)


@given(value=cents)
def test_eur_of_an_amount_in_cents_is_unchanged(value):
    """Quantising something already in cents never changes it."""
    assert eur(value) == value


@pytest.mark.parametrize(
    ("value", "locale", "expected"),
    [
        ("1234.56", "de", "1.234,56 €"),
        ("1234.56", "en", "€1,234.56"),
        ("0", "de", "0,00 €"),
        ("-1234567.8", "de", "-1.234.567,80 €"),
        ("-1234567.8", "en", "-€1,234,567.80"),
        ("999.995", "de", "1.000,00 €"),
        ("12", "de-DE", "12,00 €"),
    ],
)
def test_format_eur(value, locale, expected):
    """German: point for thousands, comma for cents, sign after; English: sign first."""
    assert format_eur(value, locale) == expected


def test_format_eur_with_no_break_space_for_html():
    """The euro sign never wraps to a line of its own."""
    assert format_eur("5", "de", nbsp=True) == "5,00\u00a0€"


def test_format_eur_unknown_locale_is_an_error():
    """No silent fallback to another number format."""
    with pytest.raises(ValueError):
        format_eur("1", "fr")


@given(value=cents)
def test_german_format_round_trips(value):
    """Parsing the German display back gives the same amount."""
    text = format_eur(value, "de").removesuffix(" €").replace(".", "").replace(",", ".")
    assert Decimal(text) == value


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("5,00", "5.00"),
        ("5.00", "5.00"),
        ("5", "5.00"),
        ("0,5", "0.50"),
        (",50", "0.50"),
        ("1.234", "1234.00"),
        ("1.234,5", "1234.50"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("12.829,69 €", "12829.69"),
        ("EUR 20.00", "20.00"),
        ("1.000.000", "1000000.00"),
        ("-3,10", "-3.10"),
        ("\u00a07,30\u00a0", "7.30"),
    ],
)
def test_parse_eur_reads_german_and_english_notation_alike(typed: str, expected: str) -> None:
    """A refund of "5,00" is five euros, never 500 (the defect of a pre-filled "20.00" field)."""
    assert parse_eur(typed) == Decimal(expected)


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "abc", "5,001", "1,2,3", "1.234.5", "1,234.567", "5,0,0", "12.34.56", "1.2.3,45", "5,123"],
)
def test_parse_eur_refuses_what_it_would_have_to_guess(typed: str) -> None:
    with pytest.raises(AmountSyntaxError):
        parse_eur(typed)


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_parse_eur_reads_back_every_displayed_amount(amount: Decimal) -> None:
    assert parse_eur(format_eur(amount, "de")) == amount
    assert parse_eur(format_eur(amount, "en")) == amount
