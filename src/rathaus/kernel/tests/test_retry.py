"""``kernel.retry``: a transaction the database gave up for a concurrent one is run again, a bounded
number of times, and then answered as ``Busy`` (409) – never a 500."""

import datetime
import threading

import psycopg.errors
import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from rathaus.kernel import retry
from rathaus.kernel.exceptions import Busy, Conflict


def _wrapped(cause: Exception) -> OperationalError:
    """As Django raises a driver's error: its own class, the driver's error as the cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


DEADLOCK = _wrapped(psycopg.errors.DeadlockDetected("deadlock detected"))
SERIALIZATION = _wrapped(psycopg.errors.SerializationFailure("could not serialize access"))
SQLITE_BUSY = OperationalError("database is locked")


def _failing(times: int, error: Exception):
    calls = []

    def func() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return func, calls


def test_deadlocks_serialization_failures_and_sqlites_busy_lock_are_transient():
    assert retry.is_transient(DEADLOCK)
    assert retry.is_transient(SERIALIZATION)
    assert retry.is_transient(SQLITE_BUSY)
    assert not retry.is_transient(OperationalError("no such table: x"))
    assert not retry.is_transient(_wrapped(psycopg.errors.UndefinedTable("x")))
    assert not retry.is_transient(IntegrityError("duplicate key"))


@pytest.mark.parametrize("error", [DEADLOCK, SERIALIZATION, SQLITE_BUSY])
def test_a_transient_failure_is_run_again(error):
    func, calls = _failing(retry.ATTEMPTS - 1, error)
    assert retry.run(func) == "done"
    assert len(calls) == retry.ATTEMPTS


def test_when_every_attempt_failed_the_answer_is_busy_with_a_german_message():
    func, calls = _failing(retry.ATTEMPTS, DEADLOCK)
    with pytest.raises(Busy) as busy:
        retry.run(func)
    assert len(calls) == retry.ATTEMPTS
    assert isinstance(busy.value, Conflict) and busy.value.http_status == 409
    assert busy.value.code == "busy" and "noch einmal" in busy.value.message
    assert busy.value.__cause__ is DEADLOCK


def test_other_errors_are_not_repeated():
    func, calls = _failing(1, OperationalError("no such table: x"))
    with pytest.raises(OperationalError):
        retry.run(func)
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_a_transaction_the_error_goes_to_the_caller_unchanged():
    """Only the outermost transaction can be repeated; a part of it cannot."""
    func, calls = _failing(1, DEADLOCK)
    with pytest.raises(OperationalError), transaction.atomic():
        retry.run(func)
    assert len(calls) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer: no deadlocks")
@pytest.mark.django_db(transaction=True)
def test_two_transactions_in_a_real_deadlock_both_commit():
    """Two threads update two rows in opposite order, meeting at a barrier after the first: the
    database ends one of them (deadlock); run again, it commits after the other."""
    expires = timezone.now() + datetime.timedelta(days=1)
    for key in ("a" * 32, "b" * 32):
        Session.objects.create(session_key=key, session_data="", expire_date=expires)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def work(name: str, order: tuple[str, str]) -> None:
        attempts = []

        def transfer() -> None:
            attempts.append(1)
            with transaction.atomic():
                for step, key in enumerate(order):
                    row = Session.objects.select_for_update().get(session_key=key)
                    row.session_data += name
                    row.save(update_fields=["session_data"])
                    if step == 0 and len(attempts) == 1:
                        barrier.wait(timeout=30)

        try:
            retry.run(transfer)
            outcomes[name] = f"committed after {len(attempts)}"
        except Exception as error:
            outcomes[name] = f"error:{type(error).__name__}"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=work, args=("1", ("a" * 32, "b" * 32))),
        threading.Thread(target=work, args=("2", ("b" * 32, "a" * 32))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["committed after 1", "committed after 2"], outcomes
    # Each row was changed by both transactions, one after the other (never a lost update).
    assert set(Session.objects.values_list("session_data", flat=True)) in ({"12"}, {"21"})
