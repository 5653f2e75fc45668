"""Progressive throttling: 0, 0, 0, 2, 4, 8 … seconds, at most 15 minutes, never a lockout."""

import pytest

from rathaus.accounts import throttling


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (6, 16), (12, 900), (1000, 900)],
)
def test_wait_grows_after_free_attempts_and_is_capped(failures, seconds):
    assert throttling.wait_seconds(failures, free_attempts=3) == seconds


def test_waiting_long_enough_allows_the_next_attempt():
    """No lockout: once the wait is over the next attempt is checked again."""
    for _ in range(4):
        throttling.record_failure(username="a", address="192.0.2.1", now=1000.0)
    assert throttling.retry_after(username="a", address="192.0.2.1", now=1000.0) == 4
    assert throttling.retry_after(username="a", address="192.0.2.1", now=1004.0) == 0


def test_counter_is_per_username_case_insensitive_and_per_address():
    for _ in range(5):
        throttling.record_failure(username="Anna", address="192.0.2.1", now=0.0)
    assert throttling.retry_after(username="anna", address="198.51.100.7", now=0.0) > 0
    assert throttling.retry_after(username="bernd", address="198.51.100.7", now=0.0) == 0


def test_many_usernames_from_one_address_are_throttled_by_address():
    for n in range(12):
        throttling.record_failure(username=f"user{n}", address="192.0.2.9", now=0.0)
    assert throttling.retry_after(username="someone-new", address="192.0.2.9", now=0.0) > 0


def test_success_clears_the_username_counter_but_not_the_address_counter():
    for n in range(12):
        throttling.record_failure(username=f"user{n}", address="192.0.2.9", now=0.0)
    throttling.record_success(username="user1", address="192.0.2.9")
    assert throttling.retry_after(username="user1", address="192.0.2.9", now=0.0) > 0
