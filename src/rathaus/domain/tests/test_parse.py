"""Strict parsers for input at the edge (issue 11, finding 5): ASCII digits, ranges, real dates,
finite decimals that fit their column (no database)."""

import datetime
from decimal import Decimal

import pytest

from rathaus.domain.parse import (
    MAX_ID,
    InputError,
    ascii_int,
    ascii_int_list,
    bounded_decimal,
    iso_date,
    iso_datetime,
)

D = datetime.date
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("1", 1), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID)],
)
def test_ascii_int_reads_plain_digits(text, expected):
    assert ascii_int(text, lo=0, hi=MAX_ID) == expected


@pytest.mark.parametrize(
    "text",
    [
        "²",  # superscript two: isdigit() is true, int() fails
        "¹²",
        "٣",  # Arabic-Indic three: int() reads it as 3
        "３",  # fullwidth three
        "+1",
        "-1",
        " 1",
        "1 ",
        "1\n",
        "1e3",
        "1_000",
        "1.0",
        "0x10",
        "",
        str(10**30),
        str(MAX_ID + 1),
        "9" * 5000,
    ],
)
def test_ascii_int_refuses_everything_else(text):
    with pytest.raises(InputError, match="ganze Zahl|zwischen"):
        ascii_int(text, lo=0, hi=MAX_ID)


def test_ascii_int_allows_a_sign_only_for_negative_ranges():
    assert ascii_int("-5", lo=-10, hi=10) == -5
    with pytest.raises(InputError, match="zwischen -10 und 10"):
        ascii_int("-11", lo=-10, hi=10)


def test_ascii_int_names_the_range():
    with pytest.raises(InputError, match="Die Seite muss zwischen 1 und 500 liegen."):
        ascii_int("501", lo=1, hi=500, what="Die Seite")


def test_ascii_int_refuses_a_missing_value():
    with pytest.raises(InputError, match="fehlt"):
        ascii_int(None, lo=0, hi=1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", (1,)), ("1,2,3", (1, 2, 3)), ("3,3", (3, 3))],
)
def test_ascii_int_list_reads_comma_separated_ids(text, expected):
    assert ascii_int_list(text, lo=1, hi=MAX_ID, max_items=3) == expected


@pytest.mark.parametrize("text", ["", "1,", ",1", "1,²", "1,2,3,4", f"1,{10**30}", "1, 2"])
def test_ascii_int_list_refuses_bad_lists(text):
    with pytest.raises(InputError):
        ascii_int_list(text, lo=1, hi=MAX_ID, max_items=3)


EARLIEST, LATEST = D(2000, 1, 1), D(2100, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-12-02", D(2026, 12, 2)), ("2028-02-29", D(2028, 2, 29)), ("2000-01-01", EARLIEST)],
)
def test_iso_date_reads_calendar_dates(text, expected):
    assert iso_date(text, earliest=EARLIEST, latest=LATEST) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("9999-12-31", "zwischen dem 01.01.2000 und dem 31.12.2100"),
        ("0001-01-01", "zwischen dem 01.01.2000 und dem 31.12.2100"),
        ("2026-02-30", "gibt es nicht im Kalender"),
        ("2027-02-29", "gibt es nicht im Kalender"),
        ("2026-13-01", "gibt es nicht im Kalender"),
        ("20261202", "JJJJ-MM-TT"),
        ("2026-W49-3", "JJJJ-MM-TT"),
        (" 2026-12-02", "JJJJ-MM-TT"),
        ("2026-12-02T10:00", "JJJJ-MM-TT"),
        ("２０２６-12-02", "JJJJ-MM-TT"),
        ("", "JJJJ-MM-TT"),
    ],
)
def test_iso_date_refuses_impossible_and_far_dates(text, message):
    with pytest.raises(InputError, match=message):
        iso_date(text, earliest=EARLIEST, latest=LATEST)


LO = datetime.datetime(2000, 1, 1, tzinfo=UTC)
HI = datetime.datetime(2100, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-02T09:15:00+01:00", datetime.datetime(2026, 12, 2, 8, 15, tzinfo=UTC)),
        ("2026-12-02T08:15Z", datetime.datetime(2026, 12, 2, 8, 15, tzinfo=UTC)),
        ("2026-12-02 08:15:00.5+00:00", datetime.datetime(2026, 12, 2, 8, 15, 0, 500000, tzinfo=UTC)),
    ],
)
def test_iso_datetime_reads_moments_with_offset(text, expected):
    assert iso_datetime(text, earliest=LO, latest=HI) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-02T09:15:00",  # no offset
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00+00:00",
        "2026-02-30T10:00+01:00",
        "2026-12-02T25:00+01:00",
        "2026-12-02T²:00+01:00",
        "1e3",
    ],
)
def test_iso_datetime_refuses_the_rest(text):
    with pytest.raises(InputError):
        iso_datetime(text, earliest=LO, latest=HI)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", Decimal("12")),
        ("12.5", Decimal("12.5")),
        ("0.01", Decimal("0.01")),
        ("-3.00", Decimal("-3.00")),
    ],
)
def test_bounded_decimal_reads_plain_decimals(text, expected):
    assert bounded_decimal(text, max_digits=12, decimal_places=2) == expected


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "1E+30",
        "1e400",
        "12.345",
        "1,5",
        " 1",
        "+1",
        "²",
        "٣",
        ".5",
        "5.",
        str(10**30),
        "12345678901.00",  # 11 digits before the point, 10 allowed
        "",
    ],
)
def test_bounded_decimal_refuses_what_no_column_holds(text):
    with pytest.raises(InputError):
        bounded_decimal(text, max_digits=12, decimal_places=2)


def test_bounded_decimal_checks_the_range():
    with pytest.raises(InputError, match="mindestens 0.01"):
        bounded_decimal("0.00", max_digits=12, decimal_places=2, lo=Decimal("0.01"))
    with pytest.raises(InputError, match="höchstens 100"):
        bounded_decimal("100.01", max_digits=12, decimal_places=2, hi=Decimal("100"))
