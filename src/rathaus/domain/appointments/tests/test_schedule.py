import datetime

import pytest

from rathaus.domain.appointments.schedule import (
    DayException,
    Interval,
    Plan,
    Refusal,
    ServiceTime,
    WeeklyHours,
    bremen_holidays,
    check_start,
    day_units,
    last_released_day,
    opening_intervals,
    release_moment,
    run_starts,
    units_needed,
)

D = datetime.date
DT = datetime.datetime
T = datetime.time

MORNING = Interval(T(8, 0), T(12, 0))
AFTERNOON = Interval(T(13, 0), T(16, 0))
PLAN = Plan(
    slot_minutes=15,
    weekly=(
        WeeklyHours(0, MORNING),
        WeeklyHours(0, AFTERNOON),
        WeeklyHours(2, MORNING),
    ),
    exceptions=(
        DayException(D(2026, 12, 7), (), "Betriebsausflug"),  # a Monday, closed
        DayException(D(2026, 12, 26), (Interval(T(10, 0), T(12, 0)),), "Sonderöffnung"),
    ),
    release_days=14,
    release_time=T(8, 0),
    min_lead_minutes=60,
)
HOLIDAYS = bremen_holidays([2026, 2027])
NOW = DT(2026, 12, 1, 9, 0)  # Tuesday


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (D(2026, 10, 31), "Reformationstag"),  # Bremen since 2018
        (D(2026, 4, 3), "Karfreitag"),
        (D(2026, 5, 14), "Christi Himmelfahrt"),
        (D(2026, 12, 25), "Erster Weihnachtstag"),
    ],
)
def test_bremen_public_holidays_are_known(day, name):
    """Feiertagsgesetz Bremen § 2: these days are public holidays in HB."""
    assert HOLIDAYS[day] == name


def test_corpus_christi_is_not_a_holiday_in_bremen():
    """Fronleichnam is a holiday in other Länder, not in Bremen."""
    assert D(2026, 6, 4) not in HOLIDAYS


def test_units_fill_each_opening_interval_and_skip_the_lunch_break():
    units = day_units(PLAN, D(2026, 12, 14), HOLIDAYS)  # Monday
    assert len(units) == 16 + 12
    assert units[0] == (DT(2026, 12, 14, 8, 0), DT(2026, 12, 14, 8, 15))
    assert units[15][1] == DT(2026, 12, 14, 12, 0)
    assert units[16][0] == DT(2026, 12, 14, 13, 0)


def test_no_units_on_a_day_without_hours_an_exception_or_a_holiday():
    assert day_units(PLAN, D(2026, 12, 15), HOLIDAYS) == []  # Tuesday: no hours
    assert day_units(PLAN, D(2026, 12, 7), HOLIDAYS) == []  # closed by exception
    assert opening_intervals(PLAN, D(2027, 1, 1), HOLIDAYS) == ()  # Neujahr, a Friday anyway


def test_holiday_on_an_opening_day_closes_the_office():
    """Ostermontag 2027 (29 March) is a Monday, normally open."""
    assert day_units(PLAN, D(2027, 3, 29), HOLIDAYS) == []


def test_exception_can_open_a_holiday():
    units = day_units(PLAN, D(2026, 12, 26), HOLIDAYS)
    assert [u[0].time() for u in units][:2] == [T(10, 0), T(10, 15)]
    assert len(units) == 8


@pytest.mark.parametrize(
    ("services", "units"),
    [
        ([ServiceTime(15)], 1),
        ([ServiceTime(15, 5)], 2),
        ([ServiceTime(20)], 2),
        ([ServiceTime(15, 5), ServiceTime(15, 10)], 3),  # 30 + largest buffer 10 = 40 min
        ([ServiceTime(10), ServiceTime(10), ServiceTime(10)], 2),
    ],
)
def test_durations_add_up_with_one_buffer(services, units):
    assert units_needed(services, slot_minutes=15) == units


def test_a_visit_needs_a_service():
    with pytest.raises(ValueError):
        units_needed([], slot_minutes=15)


def test_release_moment_and_last_released_day():
    assert release_moment(PLAN, D(2026, 12, 15)) == DT(2026, 12, 1, 8, 0)
    assert last_released_day(PLAN, DT(2026, 12, 1, 7, 59)) == D(2026, 12, 14)
    assert last_released_day(PLAN, DT(2026, 12, 1, 8, 0)) == D(2026, 12, 15)


@pytest.mark.parametrize(
    ("start", "units", "refusal"),
    [
        (DT(2026, 12, 2, 8, 0), 1, None),
        (DT(2026, 12, 2, 11, 45), 1, None),
        (DT(2026, 11, 30, 8, 0), 1, Refusal.PAST),
        (DT(2026, 12, 1, 9, 30), 1, Refusal.PAST),  # within the lead time
        (DT(2026, 12, 16, 8, 0), 1, Refusal.NOT_RELEASED),
        (DT(2026, 12, 2, 7, 45), 1, Refusal.OUTSIDE_HOURS),
        (DT(2026, 12, 2, 12, 0), 1, Refusal.OUTSIDE_HOURS),
        (DT(2026, 12, 2, 8, 5), 1, Refusal.OFF_GRID),
        (DT(2026, 12, 2, 11, 45), 2, Refusal.RUNS_PAST_CLOSING),
        (DT(2026, 12, 3, 9, 0), 1, Refusal.CLOSED),  # Thursday
        (DT(2026, 12, 7, 9, 0), 1, Refusal.CLOSED),  # exception
    ],
)
def test_check_start(start, units, refusal):
    """Past, unreleased, off-hours and misaligned starts are refused with their reason."""
    assert check_start(PLAN, start=start, units=units, now=NOW, holidays=HOLIDAYS) is refusal


def test_check_start_refuses_a_holiday_by_name():
    """Reformationstag 2029 is a Wednesday, an opening day of the plan."""
    plan = Plan(slot_minutes=15, weekly=(WeeklyHours(2, MORNING),), release_days=30)
    holidays = bremen_holidays([2029])
    refusal = check_start(
        plan, start=DT(2029, 10, 31, 9, 0), units=1, now=DT(2029, 10, 20, 9, 0), holidays=holidays
    )
    assert refusal is Refusal.HOLIDAY


def test_run_starts_finds_consecutive_free_units_only():
    starts = [
        DT(2026, 12, 2, 8, 0),
        DT(2026, 12, 2, 8, 15),
        DT(2026, 12, 2, 8, 45),
        DT(2026, 12, 2, 9, 0),
        DT(2026, 12, 2, 9, 15),
    ]
    assert run_starts(starts, slot_minutes=15, units=1) == starts
    assert run_starts(starts, slot_minutes=15, units=2) == [starts[0], starts[2], starts[3]]
    assert run_starts(starts, slot_minutes=15, units=3) == [starts[2]]
    assert run_starts(starts, slot_minutes=15, units=4) == []


@pytest.mark.parametrize("bad", [dict(slot_minutes=1), dict(slot_minutes=15, release_days=-1)])
def test_plan_rejects_nonsense(bad):
    with pytest.raises(ValueError):
        Plan(weekly=(), **bad)


def test_empty_interval_is_rejected():
    with pytest.raises(ValueError):
        Interval(T(10, 0), T(10, 0))
