"""Leases: how a worker holds the run it executes, and how a dead worker's run is recognised.

A worker that starts an attempt claims the run (``claim``): status "running", ``result_id`` the
queue row it runs for, ``lease_until`` now plus the task's ``lease_seconds``. A heartbeat thread
renews the lease every third of that while the function runs. ``kill -9``, an OOM kill or a
power cut stop the renewals: once ``lease_until`` lies in the past the run belongs to nobody
(``expired``) and ``recovery.requeue_stale`` hands it back. Every later write of the run by its
worker names the claim (``holding``), so a worker that lost its lease never overwrites the
outcome of the attempt that replaced it.

The queue row of a lost attempt is closed as failed with ``WorkerLost`` as its exception class
(``close_row``), so the queue itself says what happened to it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ..models import TaskRun

logger = logging.getLogger("rathaus.kernel.tasks")

# Long enough that a busy database (SQLite waits up to 20 s for its write lock) or a process
# that holds the GIL for a while does not miss three renewals; short enough that work of a
# killed worker is taken up again within a minute.
DEFAULT_LEASE_SECONDS = 30
MIN_LEASE_SECONDS = 2
WORKER_LOST = f"{__name__}.WorkerLost"


class WorkerLost(Exception):  # noqa: N818 (named for what happened, recorded as a class path)
    """The worker running an attempt died (``kill -9``, out of memory, power cut): named as the
    exception class of the attempt's queue row, which was closed for it."""


class LeaseLost(RuntimeError):
    """A worker finds that its run was handed to another attempt meanwhile (its lease ran out while
    it could not renew it, e.g. a process paused for longer than the lease): it records nothing."""


def as_uuid(text: str) -> uuid.UUID | None:
    """The queue row id in ``text`` (runs keep it as text; the immediate backend's ids are not
    UUIDs and have no row)."""
    try:
        return uuid.UUID(text)
    except (TypeError, ValueError):
        return None


def holding(run_pk: int, claim: str) -> QuerySet[TaskRun]:
    """The run, if the attempt ``claim`` (its queue row id) still holds it."""
    return TaskRun.objects.filter(pk=run_pk, status=TaskRun.Status.RUNNING, result_id=claim)


def claim(run_pk: int, claim_id: str, lease_seconds: int) -> bool:
    """Start an attempt of a waiting run for the queue row ``claim_id``; False when the run is not
    waiting (already succeeded, failed for good, or held by another attempt): then this delivery
    must not run the function."""
    now = timezone.now()
    return bool(
        TaskRun.objects.filter(
            pk=run_pk, status__in=(TaskRun.Status.PENDING, TaskRun.Status.RETRYING)
        ).update(
            status=TaskRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            result_id=claim_id,
            lease_until=now + timedelta(seconds=lease_seconds),
            updated_at=now,
        )
    )


def release(run_pk: int, claim_id: str) -> None:
    """Let the lease run out now (the worker stops in the middle of the run): the next check hands
    the run back without waiting for the lease."""
    try:
        holding(run_pk, claim_id).update(lease_until=timezone.now())
    except DatabaseError:
        logger.warning("Could not release the lease of task run %s; it runs out by itself", run_pk)


def expired(now: datetime) -> Q:
    """Running runs whose worker stopped renewing the lease. Runs from before leases existed (no
    ``lease_until``) count as expired a default lease after their last change."""
    legacy = Q(lease_until__isnull=True, updated_at__lt=now - timedelta(seconds=DEFAULT_LEASE_SECONDS))
    return Q(status=TaskRun.Status.RUNNING) & (Q(lease_until__lt=now) | legacy)


def lease_end(run: TaskRun) -> datetime:
    """Until when ``run`` (running) is held."""
    return run.lease_until or run.updated_at + timedelta(seconds=DEFAULT_LEASE_SECONDS)


def close_row(row_id: str, reason: str, *, succeeded: bool = False) -> None:
    """Close the queue row of an attempt whose worker died (if it is still "running")."""
    key = as_uuid(row_id)
    if key is None:
        return
    now = timezone.now()
    rows = DBTaskResult.objects.filter(id=key, status=TaskResultStatus.RUNNING)
    if succeeded:
        rows.update(
            status=TaskResultStatus.SUCCESSFUL, finished_at=now, exception_class_path="", traceback=""
        )
    else:
        rows.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            return_value=None,
            exception_class_path=WORKER_LOST,
            traceback=f"{WORKER_LOST}: {reason}\n",
        )


class Heartbeat:
    """Renews the lease of one attempt from a thread while its function runs.

    Not started inside a transaction (the immediate backend runs tasks within the caller's
    transaction): nobody else can see such a run before it ends. The thread first touches the
    database after a third of the lease, so short tasks never do.
    """

    def __init__(self, run_pk: int, claim_id: str, lease_seconds: int) -> None:
        self.run_pk, self.claim_id, self.lease_seconds = run_pk, claim_id, lease_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if not transaction.get_connection().in_atomic_block:
            self._thread = threading.Thread(target=self._beat, name=f"lease-{run_pk}", daemon=True)
            self._thread.start()

    def halt(self) -> None:
        """No more renewals (the function returned); safe inside the run's transaction."""
        self._stop.set()

    def stop(self) -> None:
        """End the renewals and wait for the thread. Call it outside the run's own transaction (the
        thread may be waiting for a row lock that transaction holds)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
            self._thread = None

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.lease_seconds / 3):
                close_old_connections()
                try:
                    renewed = holding(self.run_pk, self.claim_id).update(
                        lease_until=timezone.now() + timedelta(seconds=self.lease_seconds)
                    )
                except DatabaseError as error:
                    logger.warning("Could not renew the lease of task run %s: %s", self.run_pk, error)
                    continue
                if not renewed:
                    if not self._stop.is_set():
                        logger.error(
                            "Task run %s was handed to another attempt: its lease ran out", self.run_pk
                        )
                    return
        finally:
            connections.close_all()  # this thread's connections only
