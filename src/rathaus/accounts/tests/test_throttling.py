"""Progressive throttling: 0, 0, 0, 2, 4, 8 … seconds, at most 15 minutes, never a lockout;
attempts are counted before they are checked, so parallel guesses cannot slip through."""

import json
import sqlite3

import pytest
from django.db import connection

from rathaus.accounts import throttling
from rathaus.accounts.models import LoginThrottle
from rathaus.kernel.testing import run_module, sqlite_file_copy

from .race import race

THREADS = 20


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (1, 0), (2, 0), (3, 2), (4, 4), (5, 8), (6, 16), (12, 900), (1000, 900)],
)
def test_wait_grows_after_free_attempts_and_is_capped(failures, seconds):
    assert throttling.wait_seconds(failures, free_attempts=3) == seconds


def _fail(times, *, username="a", address="192.0.2.1", now=1000.0):
    """Claim ``times`` attempts that all fail; returns the answers of claim_attempt."""
    return [throttling.claim_attempt(username=username, address=address, now=now) for _ in range(times)]


@pytest.mark.django_db
def test_three_free_attempts_then_a_growing_wait_without_lockout():
    # given three failed attempts
    assert _fail(3) == [0, 0, 0]
    # then the fourth must wait 2 s; a refused attempt does not extend the wait
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=1000.5) == 2
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=1001.0) == 1
    # and after the wait it is checked again (and counted: the next wait is 4 s)
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=1002.0) == 0
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=1002.0) == 4


@pytest.mark.django_db
def test_counter_is_per_username_case_insensitive_and_per_address():
    _fail(5, username="Anna", now=0.0)
    assert throttling.claim_attempt(username="anna", address="198.51.100.7", now=0.0) > 0
    assert throttling.claim_attempt(username="bernd", address="198.51.100.7", now=0.0) == 0


@pytest.mark.django_db
def test_many_usernames_from_one_address_are_throttled_by_address():
    for n in range(10):
        assert throttling.claim_attempt(username=f"user{n}", address="192.0.2.9", now=0.0) == 0
    assert throttling.claim_attempt(username="someone-new", address="192.0.2.9", now=0.0) > 0


@pytest.mark.django_db
def test_success_clears_the_username_counter_and_takes_back_only_its_own_attempt():
    for n in range(9):
        throttling.claim_attempt(username=f"user{n}", address="192.0.2.9", now=0.0)
    assert throttling.claim_attempt(username="user1", address="192.0.2.9", now=0.0) == 0
    throttling.record_success(username="user1", address="192.0.2.9")
    assert not LoginThrottle.objects.filter(key__startswith="user:").exclude(attempts=1).exists()
    assert LoginThrottle.objects.get(key="addr:192.0.2.9").attempts == 9
    # the address's failures stay: the tenth attempt is free, the eleventh waits
    assert throttling.claim_attempt(username="user1", address="192.0.2.9", now=0.0) == 0
    assert throttling.claim_attempt(username="user1", address="192.0.2.9", now=0.0) > 0


@pytest.mark.django_db
def test_counters_are_forgotten_after_a_day():
    _fail(6, now=0.0)
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=1.0) > 0
    assert throttling.claim_attempt(username="a", address="192.0.2.1", now=24 * 3600 + 1.0) == 0
    assert LoginThrottle.objects.get(key="addr:192.0.2.1").attempts == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_cannot_pass_more_than_the_free_attempts():
    """Issue 11, finding 3: 20 parallel wrong passwords were all checked (0 × 429, counter 14).
    Now 20 threads, each on its own connection, meet at a barrier and claim at once: on
    PostgreSQL in this process, on SQLite in a child process on a file copy of the database."""
    if connection.vendor == "postgresql":
        outcome = race(THREADS)
        attempts = LoginThrottle.objects.get(key__startswith="user:").attempts
    else:
        with sqlite_file_copy() as var_dir:
            outcome = json.loads(run_module("rathaus.accounts.tests.race", [str(THREADS)], var_dir=var_dir))
            copy = sqlite3.connect(var_dir / "rathaus.sqlite3")
            try:
                (attempts,) = copy.execute(
                    "SELECT attempts FROM accounts_loginthrottle WHERE key LIKE 'user:%'"
                ).fetchone()
            finally:
                copy.close()
    assert outcome == {
        "let_through": throttling.FREE_ATTEMPTS_PER_USERNAME,
        "refused": THREADS - throttling.FREE_ATTEMPTS_PER_USERNAME,
        "errors": [],
    }
    assert attempts == throttling.FREE_ATTEMPTS_PER_USERNAME
