"""A worker that dies mid-task loses nothing: leases, recovery, `rathaus tasks` on stale runs.

A dead worker is simulated by what ``kill -9`` leaves in the database: the queue row taken
(``DBTaskResult.claim``, as django-tasks-db's worker does) and the run claimed with a lease
nobody renews. The real thing, with worker processes killed, is in tests/crash/.
"""

from __future__ import annotations

import datetime
import json
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.kernel import audit
from rathaus.kernel.models import AuditEntry, TaskRun
from rathaus.kernel.tasks import WorkerLost, enqueue_once, leases, queue_state, rathaus_task, requeue_stale

CALLS: dict[str, int] = {}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
WORKER_LOST = f"{WorkerLost.__module__}.WorkerLost"
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)


@rathaus_task(retries=2, backoff_seconds=0, lease_seconds=2)
def note(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


@rathaus_task(retries=0, backoff_seconds=0, lease_seconds=2)
def note_once(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


@rathaus_task(retries=3, backoff_seconds=120, lease_seconds=2)
def slow(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


def _hand_over_mid_run(name: str) -> None:
    """What another worker does while this attempt's worker stands still past its lease: the
    lease runs out and the run is handed to a new attempt."""
    TaskRun.objects.filter(key=f"lost:{name}").update(
        lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    requeue_stale()


@rathaus_task(retries=2, backoff_seconds=0, lease_seconds=2)
def loses_lease_once(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1
    if CALLS[name] == 1:
        _hand_over_mid_run(name)


@rathaus_task(retries=2, backoff_seconds=0, lease_seconds=2, atomic=True)
def writes_and_loses_lease_once(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1
    audit.record(actor="Test", action="lease.write", target=("lease", name))
    if CALLS[name] == 1:
        other = threading.Thread(target=_in_other_connection, args=(_hand_over_mid_run, name))
        other.start()
        other.join()


@rathaus_task(retries=0, backoff_seconds=0, lease_seconds=2)
def outlives_its_first_lease(*, name: str) -> None:
    before = TaskRun.objects.get(key=name).lease_until
    threading.Event().wait(2.5)
    after = TaskRun.objects.get(key=name).lease_until
    assert before is not None and after is not None
    # 1 if renewed by more than a second, +10 for each run a check found stale (none should be).
    CALLS[name] = int(after > before + datetime.timedelta(seconds=1)) + 10 * len(requeue_stale())


def _in_other_connection(function, *args) -> None:
    try:
        function(*args)
    finally:
        connections.close_all()


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker() -> None:
    call_command("worker", "--batch", "--interval=0", verbosity=0, stdout=StringIO())


def run(*arguments: str) -> str:
    out = StringIO()
    out._out = out  # type: ignore[attr-defined]  # rich writes to ._out of Django's OutputWrapper
    call_command(*arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def killed_mid_run(run_: TaskRun, *, lease_left: float = -1.0) -> str:
    """Leave ``run_`` as a worker killed inside its function does; returns the queue row id."""
    row = DBTaskResult.objects.get(id=run_.result_id)
    row.claim("killed-worker")
    assert leases.claim(run_.pk, str(row.id), 2)
    until = timezone.now() + datetime.timedelta(seconds=lease_left)
    TaskRun.objects.filter(pk=run_.pk).update(lease_until=until)
    return str(row.id)


def killed_before_run(run_: TaskRun, *, seconds_ago: float = 5.0) -> str:
    """Leave ``run_`` as a worker killed between taking the queue row and starting the run does."""
    row = DBTaskResult.objects.get(id=run_.result_id)
    row.claim("killed-worker")
    DBTaskResult.objects.filter(id=row.id).update(
        started_at=timezone.now() - datetime.timedelta(seconds=seconds_ago)
    )
    return str(row.id)


# --- the run of a killed worker -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_until_empty_finishes_the_run_of_a_worker_killed_mid_task(database_queue):
    """The run stays "running" only until its lease ends: then it is retried, and the attempt
    of the dead worker counts."""
    # given: a worker took the run and was killed; its lease ends in a second
    run_ = enqueue_once(note, key="killed:1", name="one")
    lost_row = killed_mid_run(run_, lease_left=1.0)
    # when
    output = run("worker", "--until-empty", "--timeout=30")
    # then
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS) == (TaskRun.Status.SUCCEEDED, 2, {"one": 1})
    assert "in Arbeit" in output and "wieder eingereiht" in output
    lost = DBTaskResult.objects.get(id=lost_row)
    assert (lost.status, lost.exception_class_path) == ("FAILED", WORKER_LOST)
    assert DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).count() == 0
    assert queue_state().empty


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_still_renews_its_lease_is_left_alone(database_queue):
    run_ = enqueue_once(note, key="alive:1", name="alive")
    killed_mid_run(run_, lease_left=20.0)
    assert requeue_stale() == []
    run_.refresh_from_db()
    assert run_.status == TaskRun.Status.RUNNING
    assert DBTaskResult.objects.count() == 1
    state = queue_state()
    assert (state.running, state.empty) == (1, False)
    assert state.lease_end == run_.lease_until


@pytest.mark.django_db(transaction=True)
def test_a_killed_last_attempt_fails_the_run_with_worker_abgebrochen(database_queue):
    run_ = enqueue_once(note_once, key="killed:last", name="last")
    killed_mid_run(run_)
    [recovered] = requeue_stale()
    run_.refresh_from_db()
    assert (recovered.outcome, run_.status, run_.attempts) == ("failed", TaskRun.Status.FAILED, 1)
    assert run_.last_error.startswith("Worker abgebrochen: kein Lebenszeichen seit ")
    assert run_.finished_at is not None and run_.lease_until is None
    assert "keine Versuche mehr" in recovered.summary
    assert not DBTaskResult.objects.filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_killed_attempt_waits_for_the_backoff(database_queue):
    """The dead worker's attempt is a failed attempt like any other: its retry keeps the pause."""
    run_ = enqueue_once(slow, key="killed:backoff", name="backoff")
    killed_mid_run(run_)
    before = timezone.now()
    [recovered] = requeue_stale()
    run_.refresh_from_db()
    assert (recovered.outcome, run_.status) == ("requeued", TaskRun.Status.RETRYING)
    assert recovered.due is not None and recovered.due >= before + datetime.timedelta(seconds=119)
    assert "Versuch 2 von 4" in recovered.summary


@pytest.mark.django_db(transaction=True)
def test_a_queue_row_taken_before_the_run_began_is_enqueued_again_without_using_an_attempt(database_queue):
    run_ = enqueue_once(note_once, key="killed:before", name="before")
    lost_row = killed_before_run(run_)
    [recovered] = requeue_stale()
    assert recovered.outcome == "requeued"
    run_worker()
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS) == (TaskRun.Status.SUCCEEDED, 1, {"before": 1})
    assert DBTaskResult.objects.get(id=lost_row).exception_class_path == WORKER_LOST


@pytest.mark.django_db(transaction=True)
def test_a_queue_row_taken_a_moment_ago_is_not_taken_for_lost(database_queue):
    """Between taking the row and starting the run a worker needs milliseconds; the task's lease
    is the grace period."""
    run_ = enqueue_once(note_once, key="taken:now", name="now")
    killed_before_run(run_, seconds_ago=0.5)
    assert requeue_stale() == []
    assert queue_state().running == 1


@pytest.mark.django_db(transaction=True)
def test_a_directly_enqueued_task_lost_before_its_run_was_recorded_is_enqueued_again(database_queue):
    result = note.enqueue(name="direct")
    DBTaskResult.objects.get(id=result.id).claim("killed-worker")
    DBTaskResult.objects.filter(id=result.id).update(
        started_at=timezone.now() - datetime.timedelta(seconds=5)
    )
    [recovered] = requeue_stale()
    assert recovered.outcome == "requeued"
    run_worker()
    assert CALLS == {"direct": 1}
    assert TaskRun.objects.get().status == TaskRun.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_the_row_of_a_run_that_finished_before_its_worker_died_is_closed_not_run_again(database_queue):
    run_ = enqueue_once(note, key="finished:1", name="finished")
    row = killed_before_run(run_)
    TaskRun.objects.filter(pk=run_.pk).update(status=TaskRun.Status.SUCCEEDED, attempts=1, result_id=row)
    [recovered] = requeue_stale()
    run_worker()
    assert (recovered.outcome, CALLS) == ("closed", {})
    assert DBTaskResult.objects.get(id=row).status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_second_queue_row_of_a_run_held_by_a_live_worker_does_not_run_it(database_queue):
    """Two deliveries of one run never both run the function."""
    run_ = enqueue_once(note, key="twice:1", name="twice")
    killed_mid_run(run_, lease_left=20.0)  # held by a worker that lives
    note.enqueue(name="twice", _rathaus_run=run_.pk)
    run_worker()
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS) == (TaskRun.Status.RUNNING, 1, {})


# --- a worker that lost its lease -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_lease_records_nothing_and_the_new_attempt_counts(database_queue):
    """The old attempt's success is not recorded over the new attempt (at least once: the
    function of a task that is not atomic did run twice)."""
    run_ = enqueue_once(loses_lease_once, key="lost:plain", name="plain")
    run_worker()
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS) == (TaskRun.Status.SUCCEEDED, 2, {"plain": 2})
    rows = sorted(DBTaskResult.objects.values_list("status", "exception_class_path"))
    assert rows == [("FAILED", f"{leases.LeaseLost.__module__}.LeaseLost"), ("SUCCESSFUL", "")]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_atomic_task_whose_worker_lost_its_lease_leaves_no_write_behind(database_queue):
    """atomic=True: the first attempt's audit entry rolls back with its lost success; the
    entries show exactly one execution."""
    run_ = enqueue_once(writes_and_loses_lease_once, key="lost:atomic", name="atomic")
    run_worker()
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS) == (TaskRun.Status.SUCCEEDED, 2, {"atomic": 2})
    assert AuditEntry.objects.filter(action="lease.write").count() == 1
    assert audit.verify().ok


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_long_task_keeps_its_lease_while_it_runs(database_queue):
    """The heartbeat renews the 2-second lease; a check after 2.5 s finds nothing stale."""
    run_ = enqueue_once(outlives_its_first_lease, key="long:1", name="long:1")
    run_worker()
    run_.refresh_from_db()
    assert (run_.status, CALLS) == (TaskRun.Status.SUCCEEDED, {"long:1": 1})


def test_a_lease_shorter_than_two_seconds_is_refused():
    with pytest.raises(ValueError, match="lease_seconds"):
        rathaus_task(lease_seconds=1)


# --- what the operator sees -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_tasks_lists_a_dead_workers_run_as_stale_and_requeue_stale_hands_it_back(database_queue):
    # given
    run_ = enqueue_once(note, key="stale:1", name="stale")
    killed_mid_run(run_)
    # when
    table = run("tasks")
    as_json = json.loads(run("tasks", "--stale", "--json"))
    requeued = run("tasks", "--requeue-stale")
    again = run("tasks", "--requeue-stale")
    # then
    assert "Verwaist" in table and "Worker ohne Lebenszeichen seit" in table
    assert "--requeue-stale" in table
    assert [(line["number"], line["status"]) for line in as_json] == [(run_.pk, "stale")]
    assert as_json[0]["stale_since"] is not None
    assert f"Auftrag Nr. {run_.pk}" in requeued and "wieder eingereiht (sofort, Versuch 2 von 3)" in requeued
    assert "Keine verwaisten Aufträge" in again
    assert json.loads(run("tasks", "--stale", "--json")) == []
