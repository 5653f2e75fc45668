from datetime import date, time

import pytest

from rathaus.domain.directory.opening_hours import OpeningHoursError, Slot, hours_on, validate_slots

MON = 0


def test_touching_slots_are_valid():
    """08:00–12:00 and 12:00–14:00 on the same day do not overlap."""
    validate_slots([Slot(time(8), time(12), MON), Slot(time(12), time(14), MON)])


@pytest.mark.parametrize(
    ("slots", "code"),
    [
        ([Slot(time(12), time(8), MON)], "end_before_start"),
        ([Slot(time(8), time(8), MON)], "end_before_start"),
        ([Slot(time(8), time(12), MON), Slot(time(11), time(13), MON)], "overlap"),
        ([Slot(time(8), time(18), MON), Slot(time(9), time(10), MON)], "overlap"),
        ([Slot(time(8), time(9), 7)], "weekday"),
    ],
)
def test_impossible_hours_are_rejected(slots, code):
    """End before start, zero length, overlaps and unknown weekdays raise with a code."""
    with pytest.raises(OpeningHoursError) as caught:
        validate_slots(slots)
    assert caught.value.code == code


def test_same_hours_on_different_days_do_not_overlap():
    validate_slots([Slot(time(8), time(12), 0), Slot(time(8), time(12), 1)])


WEEKLY = [Slot(time(8), time(12), 0), Slot(time(14), time(18), 0), Slot(time(8), time(12), 1)]


def test_weekday_slots_apply_on_ordinary_days():
    monday = hours_on(date(2026, 11, 30), weekly=WEEKLY, exceptions={}, holidays={})
    assert monday.is_open_day
    assert monday.is_open_at(time(9)) and not monday.is_open_at(time(13)) and monday.is_open_at(time(17, 59))
    assert not hours_on(date(2026, 12, 2), weekly=WEEKLY, exceptions={}, holidays={}).is_open_day


def test_holiday_closes_and_exception_wins_over_holiday():
    """Reformationstag (31 Oct, a holiday in Bremen) closes; a dated exception overrides it."""
    holiday = {date(2026, 10, 26): "Testfeiertag"}
    closed = hours_on(date(2026, 10, 26), weekly=WEEKLY, exceptions={}, holidays=holiday)
    assert (closed.is_open_day, closed.reason) == (False, "Testfeiertag")
    special = {date(2026, 10, 26): ((Slot(time(10), time(11)),), "Sonderöffnung")}
    opened = hours_on(date(2026, 10, 26), weekly=WEEKLY, exceptions=special, holidays=holiday)
    assert opened.is_open_at(time(10, 30)) and opened.reason == "Sonderöffnung"
