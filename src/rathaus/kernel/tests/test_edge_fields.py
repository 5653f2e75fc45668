"""The strict form fields and query helpers every view shares (issue 11, finding 5): ASCII digits
in a range, ISO dates within bounds, a 400 with a German message for anything else."""

import datetime

import pytest
from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict

from rathaus.kernel.forms import BoundedIntegerField, DateRangeField, days_from_today, query_date, query_int

D = datetime.date


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("500", 500), ("", None), (None, None)])
def test_bounded_integer_field_reads_ascii_digits(value, expected):
    assert BoundedIntegerField(required=False, max_value=500).clean(value) == expected


@pytest.mark.parametrize("value", ["²", "٣", "+1", " 1", "1e3", "0", "501", str(10**30), "-1"])
def test_bounded_integer_field_refuses_the_rest(value):
    with pytest.raises(ValidationError, match="Die Seite muss"):
        BoundedIntegerField(required=False, max_value=500, what="Die Seite").clean(value)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30", "02.12.2026", "²"])
def test_date_range_field_refuses_far_and_impossible_dates(value):
    field = DateRangeField(required=False, earliest=D(2000, 1, 1), latest=days_from_today(365))
    with pytest.raises(ValidationError, match="Das Datum"):
        field.clean(value)


def test_date_range_field_reads_a_date_in_range():
    field = DateRangeField(earliest=days_from_today(-1), latest=days_from_today(1))
    today = days_from_today(0)()
    assert field.clean(today.isoformat()) == today


def test_query_helpers_give_the_default_for_absent_or_empty():
    params = QueryDict("leer=")
    assert query_int(params, "fehlt", default=7) == 7
    assert query_int(params, "leer") is None
    assert query_date(params, "leer", earliest=D(2000, 1, 1), latest=D(2100, 1, 1)) is None


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "-1", "1e3"])
def test_query_int_answers_bad_request(value):
    with pytest.raises(BadRequest, match="ganze Zahl|zwischen"):
        query_int(QueryDict(f"id={value}"), "id")


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2026-02-30"])
def test_query_date_answers_bad_request(value):
    with pytest.raises(BadRequest, match="Der Tag"):
        query_date(
            QueryDict(f"tag={value}"), "tag", earliest=D(2000, 1, 1), latest=D(2100, 1, 1), what="Der Tag"
        )
