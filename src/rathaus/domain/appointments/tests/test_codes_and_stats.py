import datetime

import pytest

from rathaus.domain.appointments.codes import ALPHABET, booking_code, normalise_code
from rathaus.domain.appointments.stats import Visit, summarise, utilisation, waiting_minutes

DT = datetime.datetime


def test_booking_code_has_two_groups_from_the_unambiguous_alphabet():
    code = booking_code(bytes(range(8)))
    assert len(code) == 9 and code[4] == "-"
    assert all(ch in ALPHABET for ch in code.replace("-", ""))
    assert not set("0O1IL5S2Z8B") & set(ALPHABET)


def test_booking_code_needs_enough_randomness():
    with pytest.raises(ValueError):
        booking_code(b"abc")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("k7mq-4xr9", "K7MQ-4XR9"), (" K7MQ 4XR9 ", "K7MQ-4XR9"), ("K7MQ4XR", ""), ("K7MQ-4XR0", "")],
)
def test_typed_codes_are_normalised(typed, stored):
    assert normalise_code(typed) == stored


def test_waiting_time_counts_from_the_later_of_arrival_and_booked_start():
    early = Visit("A", DT(2026, 1, 5, 9, 0), DT(2026, 1, 5, 8, 40), DT(2026, 1, 5, 9, 10), False)
    late = Visit("A", DT(2026, 1, 5, 9, 0), DT(2026, 1, 5, 9, 5), DT(2026, 1, 5, 9, 10), False)
    walk_in = Visit("A", None, DT(2026, 1, 5, 9, 0), DT(2026, 1, 5, 9, 30), False)
    assert waiting_minutes(early) == 10
    assert waiting_minutes(late) == 5
    assert waiting_minutes(walk_in) == 30
    assert waiting_minutes(Visit("A", None, None, None, False)) is None


def test_summary_counts_no_shows_among_booked_only():
    visits = [
        Visit("A", DT(2026, 1, 5, 9, 0), None, None, True),
        Visit("A", DT(2026, 1, 5, 9, 15), DT(2026, 1, 5, 9, 10), DT(2026, 1, 5, 9, 20), False),
        Visit("A", DT(2026, 1, 5, 9, 30), DT(2026, 1, 5, 9, 30), DT(2026, 1, 5, 9, 40), False),
        Visit("A", None, DT(2026, 1, 5, 9, 0), DT(2026, 1, 5, 9, 30), False),
    ]
    summary = summarise("A", visits)
    assert (summary.visits, summary.booked, summary.walk_ins, summary.no_shows) == (4, 3, 1, 1)
    assert summary.no_show_rate == pytest.approx(1 / 3)
    assert summary.median_wait_minutes == 10
    assert summarise("B", []).no_show_rate is None


def test_utilisation():
    assert utilisation(booked_units=30, offered_units=120) == 0.25
    assert utilisation(booked_units=0, offered_units=0) is None
