"""Recovery: work that a dead worker left behind is found and handed back.

Two kinds of leftovers (``stale_work``):

* a **run whose lease ran out**: the worker died while the function ran. The attempt counts; the
  run is retried after its backoff like any failed attempt ("Worker abgebrochen …"), or marked
  failed if that was its last attempt.
* a **queue row "running" without a running run**: the worker died between taking the row from
  the queue and starting the run, or between finishing the run and closing the row. Once the
  task's lease has passed since the row was taken, the row is closed; a run that had not started
  is enqueued again at once (no attempt was used), a finished one stays as it is.

Either way the lost attempt's queue row is closed as failed (exception class ``WorkerLost``)
in the same transaction that enqueues the new attempt, so the dead worker's claim and the new
one never both run. ``requeue_stale`` does this; every ``rathaus worker`` calls it at start, and
its watch thread (``StaleWatch``) whenever a lease may have run out, at least every 10 s;
``rathaus worker --until-empty`` before each round; ``rathaus tasks --requeue-stale`` on demand.
Rows of tasks not made with ``@rathaus_task`` are left alone (no lease tells whether their
worker lives).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, close_old_connections, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from ..models import TaskRun
from . import leases
from .runs import RUN_KWARG, enqueue_run, policy_of, settle_attempt, task_at

logger = logging.getLogger("rathaus.kernel.tasks")

WATCH_SECONDS = 10.0
AnyRow = DBTaskResult[..., Any]


@dataclass(frozen=True)
class Stale:
    """Work a dead worker left behind: a run (``started``: its function had begun) and/or the
    queue row of the lost attempt; ``since``: when its lease ran out."""

    run_id: int | None
    row_id: str
    task_path: str
    since: datetime
    started: bool


@dataclass(frozen=True)
class Recovered:
    """What ``requeue_stale`` did with one leftover: "requeued" (``due``: when it runs), "failed"
    (no attempts left) or "closed" (only the queue row; the run had finished)."""

    run_id: int | None
    task_path: str
    outcome: str
    due: datetime | None
    attempts: int
    max_attempts: int | None

    @property
    def summary(self) -> str:
        """One line for the operator, in German like the other command output."""
        name = f"Auftrag Nr. {self.run_id}" if self.run_id is not None else "Auftrag"
        what = f"{name} ({self.task_path.removeprefix('rathaus.')})"
        if self.outcome == "failed":
            return (
                f"{what}: Worker abgebrochen, keine Versuche mehr ({self.attempts} von "
                f"{self.max_attempts}) – fehlgeschlagen."
            )
        if self.outcome == "closed":
            return f"{what}: Eintrag eines abgebrochenen Workers geschlossen (Auftrag war schon erledigt)."
        when = (
            "sofort"
            if self.due is None
            else "ab " + timezone.localtime(self.due).strftime("%d.%m.%Y %H:%M:%S")
        )
        tries = f", Versuch {self.attempts + 1} von {self.max_attempts}" if self.max_attempts else ""
        return f"{what}: Worker abgebrochen, wieder eingereiht ({when}{tries})."


def lease_of(task_path: str) -> int | None:
    """The lease of the ``@rathaus_task`` at ``task_path``; None for other or missing tasks."""
    try:
        policy = policy_of(task_at(task_path))
    except (ImportError, TypeError, ValueError):
        return None
    return policy.lease_seconds if policy else None


def _run_of_row(row: AnyRow) -> TaskRun | None:
    row_id = str(row.id)
    run = (
        TaskRun.objects.filter(result_id=row_id).first()
        or TaskRun.objects.filter(key=f"result:{row_id}").first()
    )
    if run is None:
        run_pk = (row.args_kwargs or {}).get("kwargs", {}).get(RUN_KWARG)
        run = TaskRun.objects.filter(pk=run_pk).first() if isinstance(run_pk, int) else None
    return run


def running_rows(**filters: Any) -> list[tuple[AnyRow, datetime]]:
    """Queue rows taken by a worker, each with the moment until which that worker holds it: the
    lease of the run it runs, else (before the run started or after it ended) the task's lease
    from the moment the row was taken. Rows of other tasks are left out."""
    held = {
        run.result_id: leases.lease_end(run)
        for run in TaskRun.objects.filter(status=TaskRun.Status.RUNNING).only(
            "result_id", "lease_until", "updated_at"
        )
    }
    found = []
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, **filters).order_by("started_at"):
        until = held.get(str(row.id))
        if until is None:
            lease = lease_of(row.task_path)
            if lease is None or row.started_at is None:
                continue
            until = row.started_at + timedelta(seconds=lease)
        found.append((row, until))
    return found


def stale_work(now: datetime | None = None) -> list[Stale]:
    """Everything a dead worker left behind at ``now`` (see the module docstring)."""
    now = now or timezone.now()
    found = [
        Stale(run.pk, run.result_id, run.task_path, leases.lease_end(run), started=True)
        for run in TaskRun.objects.filter(leases.expired(now)).order_by("pk")
    ]
    runs_seen = {item.row_id for item in found}
    for row, until in running_rows():
        if until >= now or str(row.id) in runs_seen:
            continue
        run = _run_of_row(row)
        if run is not None and run.status == TaskRun.Status.RUNNING and run.result_id == str(row.id):
            continue  # its lease governs (not yet expired, else it is listed above)
        found.append(Stale(run.pk if run else None, str(row.id), row.task_path, until, started=False))
    return found


def requeue_stale() -> list[Recovered]:
    """Hand back everything a dead worker left behind (see the module docstring); each leftover in
    its own transaction. Safe to run from any number of processes at once."""
    done = []
    for item in stale_work():
        try:
            with exclusive_transaction():
                if item.started and item.run_id is not None:
                    recovered = _recover_run(item.run_id)
                else:
                    recovered = _recover_row(item)
        except DatabaseError as error:  # e.g. SQLite busy: the next check tries again
            logger.warning("Could not hand back task %s yet: %s", item.task_path, error)
            continue
        if recovered is not None:
            done.append(recovered)
    return done


def _recover_run(run_id: int) -> Recovered | None:
    now = timezone.now()
    run = TaskRun.objects.select_for_update().filter(leases.expired(now), pk=run_id).first()
    if run is None:
        return None  # renewed, finished or handed back meanwhile
    since = timezone.localtime(leases.lease_end(run)).strftime("%d.%m.%Y %H:%M:%S")
    message = (
        f"Worker abgebrochen: kein Lebenszeichen seit {since} (Versuch {run.attempts} von {run.max_attempts})"
    )
    leases.close_row(run.result_id, message)
    try:
        task_object = task_at(run.task_path)
    except (ImportError, TypeError, ValueError):
        task_object = None
    final = run.attempts >= run.max_attempts
    settle_attempt(
        run,
        claim=run.result_id,
        message=message,
        final=final,
        task_object=task_object,
        kwargs=dict(run.kwargs),
    )
    run.refresh_from_db()
    if run.status == TaskRun.Status.FAILED:
        return Recovered(run.pk, run.task_path, "failed", None, run.attempts, run.max_attempts)
    return Recovered(run.pk, run.task_path, "requeued", _due(run), run.attempts, run.max_attempts)


def _recover_row(item: Stale) -> Recovered | None:
    key = leases.as_uuid(item.row_id)
    if key is None:
        return None
    row = DBTaskResult.objects.select_for_update().filter(id=key, status=TaskResultStatus.RUNNING).first()
    if row is None:
        return None
    run = _run_of_row(row)
    if run is not None and run.status == TaskRun.Status.RUNNING and run.result_id == item.row_id:
        return None  # the run started meanwhile: its lease governs
    mine = run is not None and run.result_id == item.row_id
    if run is not None and mine and run.status == TaskRun.Status.SUCCEEDED:
        leases.close_row(item.row_id, "", succeeded=True)
        return Recovered(run.pk, run.task_path, "closed", None, run.attempts, run.max_attempts)
    leases.close_row(item.row_id, "Worker abgebrochen, bevor der Auftrag begann")
    if run is None and RUN_KWARG not in row.args_kwargs.get("kwargs", {}):
        # Enqueued directly and lost before its run was recorded: the same task again.
        row.task.enqueue(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        return Recovered(None, row.task_path, "requeued", None, 0, None)
    if run is None or not mine or run.status not in (TaskRun.Status.PENDING, TaskRun.Status.RETRYING):
        return Recovered(run.pk if run else None, row.task_path, "closed", None, 0, None)
    enqueue_run(task_at(run.task_path), run, dict(run.kwargs), delay=None)
    logger.warning("Task %s: its worker died before it began; enqueued again", run.key)
    return Recovered(run.pk, run.task_path, "requeued", None, run.attempts, run.max_attempts)


def _due(run: TaskRun) -> datetime | None:
    key = leases.as_uuid(run.result_id)
    due = DBTaskResult.objects.filter(id=key).values_list("run_after", flat=True).first() if key else None
    return None if due == get_date_max() else due


def next_deadline(now: datetime | None = None) -> datetime | None:
    """The earliest moment something held now may become stale (a lease may run out)."""
    now = now or timezone.now()
    ends = [leases.lease_end(run) for run in TaskRun.objects.filter(status=TaskRun.Status.RUNNING)]
    ends += [until for _row, until in running_rows()]
    return min(ends, default=None)


class StaleWatch:
    """A thread that calls ``requeue_stale`` whenever a lease may have run out, at least every
    ``every`` seconds, until ``stop``. Used by ``rathaus worker``; logs what it hands back."""

    def __init__(self, every: float = WATCH_SECONDS) -> None:
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="stale-watch", daemon=True)

    def start(self) -> StaleWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _wait(self) -> float:
        try:
            deadline = next_deadline()
        except DatabaseError as error:
            logger.warning("Checking for tasks of dead workers failed: %s", error)
            return self.every
        if deadline is None:
            return self.every
        return min(self.every, max(0.2, (deadline - timezone.now()).total_seconds() + 0.1))

    def _watch(self) -> None:
        try:
            while not self._stop.wait(self._wait()):
                close_old_connections()
                try:
                    for recovered in requeue_stale():
                        logger.warning("Handed back task %s: %s", recovered.task_path, recovered.outcome)
                except DatabaseError as error:
                    logger.warning("Checking for tasks of dead workers failed: %s", error)
        finally:
            connections.close_all()  # this thread's connections only
