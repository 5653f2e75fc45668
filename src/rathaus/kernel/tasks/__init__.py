"""Idempotent, retried background tasks on top of the Django Tasks API, safe against dead workers.

Write the job as a plain function with keyword arguments and decorate it::

    @rathaus_task(retries=3, backoff_seconds=60)
    def send_reminder(*, claim_id: int) -> None: ...

    enqueue_once(send_reminder, key=f"reminder:{claim.pk}", claim_id=claim.pk)

``enqueue_once`` records the key in ``TaskRun``: a second call with the same key enqueues
nothing and returns the existing run, so a service may call it again after a retry of its
own. When the function raises, the run is enqueued again after ``backoff_seconds`` ×
2^(attempt−1) until ``retries`` are used up; then it is marked failed (visible in the
admin and in ``rathaus tasks``, where it can be retried). An error that is an instance of
``NoRetry`` (retrying the same input gives the same result, e.g. a timeout on the same file)
marks the run failed at once. Successful runs are never executed twice for a key.

Enqueue inside a service's transaction: with the database backend the queue row commits
(or rolls back) with the service's data.

**Dead workers** (``leases``, ``recovery``; docs/decisions/0009). A worker holds the run it
executes under a lease that a heartbeat thread renews; ``kill -9``, an OOM kill or a power cut
stop the renewals, and after ``lease_seconds`` (default 30) any worker hands the run back: the
attempt counts ("Worker abgebrochen …"), the run is retried after its backoff or, with no
attempts left, marked failed. A queue row taken by a worker that died before the run began is
enqueued again without using an attempt. The dead attempt's queue row is closed in the same
transaction, so the old claim and the new one never both run; every write a worker makes to a
run names its claim, so a worker that lost its lease records nothing. What this guarantees:

* every enqueued run ends succeeded or failed, none stays "running";
* the function runs *at least* once per successful run and never again after its success is
  recorded; a worker killed after the function's last write but before the success was
  recorded makes it run again, so a task must be idempotent (keyed, like ``enqueue_once``), or
  be declared ``atomic=True``: its database writes then commit in one transaction with the
  success, exactly once. Writes outside the database (an e-mail sent) can happen twice.

``task_lines`` lists the open, stale and failed runs with their errors (``rathaus tasks``);
``queue_state`` says what is due now, which retries are waiting, what is running and what is
planned for later (``rathaus worker --until-empty`` waits for the retries and for running
tasks, not for the planned ones); ``requeue_stale`` hands back a dead worker's work now.

Public API: ``rathaus_task``, ``enqueue_once``, ``retry_run``, ``NoRetry``, ``TaskRun``,
``task_lines``, ``TaskLine``, ``queue_state``, ``QueueState``, ``requeue_stale``, ``Recovered``,
``StaleWatch``, ``WorkerLost``, ``DEFAULT_LEASE_SECONDS``.
"""

from __future__ import annotations

from ..models import TaskRun
from .leases import DEFAULT_LEASE_SECONDS, WorkerLost
from .listing import OPEN_STATUSES, SCHEDULED, STALE, QueueState, TaskLine, queue_state, task_lines
from .recovery import Recovered, StaleWatch, requeue_stale
from .runs import NoRetry, enqueue_once, rathaus_task, retry_run

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "OPEN_STATUSES",
    "SCHEDULED",
    "STALE",
    "NoRetry",
    "QueueState",
    "Recovered",
    "StaleWatch",
    "TaskLine",
    "TaskRun",
    "WorkerLost",
    "enqueue_once",
    "queue_state",
    "rathaus_task",
    "requeue_stale",
    "retry_run",
    "task_lines",
]
