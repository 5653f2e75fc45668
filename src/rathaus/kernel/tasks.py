"""Idempotent, retried background tasks on top of the Django Tasks API.

Write the job as a plain function with keyword arguments and decorate it::

    @rathaus_task(retries=3, backoff_seconds=60)
    def send_reminder(*, claim_id: int) -> None: ...

    enqueue_once(send_reminder, key=f"reminder:{claim.pk}", claim_id=claim.pk)

``enqueue_once`` records the key in ``TaskRun``: a second call with the same key enqueues
nothing and returns the existing run, so a service may call it again after a retry of its
own. When the function raises, the run is enqueued again after ``backoff_seconds`` ×
2^(attempt−1) until ``retries`` are used up; then it is marked failed (visible in the
admin, where it can be retried). An error that is an instance of ``NoRetry`` (retrying the
same input gives the same result, e.g. a timeout on the same file) marks the run failed at
once. Successful runs are never executed twice for a key.

Enqueue inside a service's transaction: with the database backend the queue row commits
(or rolls back) with the service's data.

``task_lines`` lists the open and failed runs with their errors (``rathaus tasks``);
``queue_state`` says what is due now, which retries are waiting and what is planned for
later (``rathaus worker --until-empty`` waits for the retries, not for the planned tasks).

Public API: ``rathaus_task``, ``enqueue_once``, ``retry_run``, ``NoRetry``, ``TaskRun``,
``task_lines``, ``TaskLine``, ``queue_state``, ``QueueState``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from .logging import redact
from .models import TaskRun

__all__ = [
    "NoRetry",
    "QueueState",
    "TaskLine",
    "TaskRun",
    "enqueue_once",
    "queue_state",
    "rathaus_task",
    "retry_run",
    "task_lines",
]

logger = logging.getLogger(__name__)

RUN_KWARG = "_rathaus_run"
MAX_ERROR_CHARS = 4000


class NoRetry(Exception):  # noqa: N818 (a marker, mixed into errors that end in "Error"/"Failed")
    """Mix into an exception raised by a task when trying again cannot help (the same input
    would fail the same way): the run is marked failed at once, without its remaining retries."""


def rathaus_task(
    *,
    retries: int = 3,
    backoff_seconds: int = 30,
    queue_name: str = "default",
    priority: int = 0,
) -> Callable[[Callable[..., Any]], Task]:
    """Turn a function into a Django task with retry bookkeeping (see module docstring)."""
    if retries < 0 or backoff_seconds < 0:
        raise ValueError("retries and backoff_seconds must not be negative")

    def decorate(function: Callable[..., Any]) -> Task:
        @functools.wraps(function)
        def runner(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            run_id = kwargs.pop(RUN_KWARG, None)
            run = _run_for(run_id, context, function, kwargs, retries, backoff_seconds)
            if run.status == TaskRun.Status.SUCCEEDED:
                return None  # already done under this key: doing it again could send twice
            run.attempts += 1
            run.status = TaskRun.Status.RUNNING
            run.save(update_fields=["attempts", "status", "updated_at"])
            try:
                result = function(*args, **kwargs)
            except Exception as error:
                _after_failure(run, error, task_object=registered, kwargs=kwargs)
                raise
            run.status = TaskRun.Status.SUCCEEDED
            run.finished_at = timezone.now()
            run.last_error = ""
            run.save(update_fields=["status", "finished_at", "last_error", "updated_at"])
            return result

        # Keep name, module and docstring (the queue imports the task by that path) but
        # not __wrapped__, whose signature lacks the context argument the backend checks.
        del runner.__wrapped__  # type: ignore[attr-defined]
        runner.rathaus_policy = (retries, backoff_seconds)  # type: ignore[attr-defined]
        registered = task(queue_name=queue_name, priority=priority, takes_context=True)(runner)
        return registered

    return decorate


def _run_for(
    run_id: int | None,
    context: TaskContext,
    function: Callable[..., Any],
    kwargs: dict[str, Any],
    retries: int,
    backoff_seconds: int,
) -> TaskRun:
    if run_id is not None:
        return TaskRun.objects.get(pk=run_id)
    # Enqueued directly with .enqueue(): still record it, keyed by the queue's result id.
    run, _ = TaskRun.objects.get_or_create(
        key=f"result:{context.task_result.id}",
        defaults={
            "task_path": f"{function.__module__}.{function.__qualname__}",
            "kwargs": kwargs,
            "max_attempts": retries + 1,
            "backoff_seconds": backoff_seconds,
            "result_id": str(context.task_result.id),
        },
    )
    return run


def _after_failure(run: TaskRun, error: Exception, *, task_object: Task, kwargs: dict[str, Any]) -> None:
    message = redact(f"{type(error).__name__}: {error}")[:MAX_ERROR_CHARS]
    run.last_error = message
    if run.attempts >= run.max_attempts or isinstance(error, NoRetry):
        run.status = TaskRun.Status.FAILED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "last_error", "finished_at", "updated_at"])
        logger.error("Task %s failed for good after %d attempts: %s", run.key, run.attempts, message)
        return
    delay = timedelta(seconds=run.backoff_seconds * 2 ** (run.attempts - 1))
    run.status = TaskRun.Status.RETRYING
    run.save(update_fields=["status", "last_error", "updated_at"])
    logger.warning("Task %s attempt %d failed, retrying in %s: %s", run.key, run.attempts, delay, message)
    _enqueue(task_object, run, kwargs, delay)


def _enqueue(task_object: Task, run: TaskRun, kwargs: dict[str, Any], delay: timedelta | None) -> None:
    backend = task_object.get_backend()
    target = task_object
    if delay and backend.supports_defer:
        target = task_object.using(run_after=timezone.now() + delay)
    result = target.enqueue(**kwargs, **{RUN_KWARG: run.pk})
    # The immediate backend runs the task inside enqueue(); only record the id if the
    # run did not finish meanwhile (its own saves are newer).
    TaskRun.objects.filter(pk=run.pk).update(result_id=str(result.id))


def _policy(task_object: Task) -> tuple[int, int]:
    policy = getattr(getattr(task_object, "func", None), "rathaus_policy", None)
    if policy is None:
        raise TypeError("This needs a task made with @rathaus_task")
    return policy


def enqueue_once(task_object: Task | str, *, key: str, **kwargs: Any) -> TaskRun:
    """Enqueue ``task_object`` with ``kwargs`` unless a run with ``key`` exists; return the run.

    ``task_object`` must come from ``@rathaus_task``, given as the task or by its dotted path
    (``"rathaus.efile.tasks.document_ocr"``): a service then enqueues its app's tasks without
    importing the module that imports the service back. ``kwargs`` must be JSON-serialisable.
    """
    if isinstance(task_object, str):
        from django.utils.module_loading import import_string

        task_object = import_string(task_object)
        if not isinstance(task_object, Task):
            raise TypeError(f"{task_object!r} is not a task")
    retries, backoff_seconds = _policy(task_object)
    if not key or len(key) > 200:
        raise ValueError("key must be 1 to 200 characters")
    with transaction.atomic():
        run, created = TaskRun.objects.get_or_create(
            key=key,
            defaults={
                "task_path": task_object.module_path,
                "kwargs": kwargs,
                "max_attempts": retries + 1,
                "backoff_seconds": backoff_seconds,
            },
        )
        if created:
            _enqueue(task_object, run, kwargs, delay=None)
            run.refresh_from_db()
    return run


def retry_run(run: TaskRun) -> TaskRun:
    """Give a failed run a fresh set of attempts (admin action "Erneut versuchen")."""
    from django.utils.module_loading import import_string

    if run.status != TaskRun.Status.FAILED:
        raise ValueError(f"Only failed runs can be retried, {run.key} is {run.status}")
    task_object = import_string(run.task_path)
    with transaction.atomic():
        run.status = TaskRun.Status.PENDING
        run.max_attempts = run.attempts + _policy(task_object)[0] + 1
        run.finished_at = None
        run.save(update_fields=["status", "max_attempts", "finished_at", "updated_at"])
        _enqueue(task_object, run, dict(run.kwargs), delay=None)
    run.refresh_from_db()
    return run


# --- What is in the queue (``rathaus tasks``, ``rathaus worker --until-empty``) -------------

OPEN_STATUSES = (TaskRun.Status.PENDING, TaskRun.Status.RUNNING, TaskRun.Status.RETRYING)
SCHEDULED = "scheduled"
_STATUS_LABELS = {**dict(TaskRun.Status.choices), SCHEDULED: "Geplant"}


@dataclass(frozen=True)
class TaskLine:
    """One background job as an operator sees it: a run (``number``) or a queued task that has
    not started yet and so has no run (``number`` None, e.g. a reminder planned for tomorrow)."""

    number: int | None
    task: str
    status: str
    attempts: int
    max_attempts: int | None
    due: datetime | None
    error: str
    key: str

    @property
    def status_label(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))


def _short_path(path: str) -> str:
    return path.removeprefix("rathaus.")


def _queued(statuses: Collection[str]) -> Any:
    return DBTaskResult.objects.filter(status__in=statuses)


def _due(run_after: datetime) -> datetime | None:
    return None if run_after == get_date_max() else run_after


def task_lines(*, statuses: Collection[str] | None = None, task: str = "", limit: int = 50) -> list[TaskLine]:
    """Open, scheduled and failed jobs, newest change first (``statuses``: TaskRun statuses
    and "scheduled"; default all but succeeded). ``task`` filters by a part of the task path."""
    wanted = set(statuses) if statuses is not None else {*OPEN_STATUSES, TaskRun.Status.FAILED, SCHEDULED}
    runs = TaskRun.objects.filter(status__in=wanted - {SCHEDULED}).order_by("-updated_at", "-pk")
    if task:
        runs = runs.filter(task_path__icontains=task)
    found = list(runs[:limit])
    queue_rows = _queued([TaskResultStatus.READY, TaskResultStatus.RUNNING])
    # The queue's ids come back as UUIDs, runs keep them as text: match them as text.
    ids = [run.result_id for run in found if run.result_id]
    due = {str(key): when for key, when in queue_rows.filter(id__in=ids).values_list("id", "run_after")}
    lines = [
        TaskLine(
            number=run.pk,
            task=_short_path(run.task_path),
            status=run.status,
            attempts=run.attempts,
            max_attempts=run.max_attempts,
            due=_due(due[run.result_id]) if run.result_id in due else None,
            error=run.last_error,
            key=run.key,
        )
        for run in found
    ]
    if wanted & {SCHEDULED, TaskRun.Status.PENDING}:
        # Tasks enqueued without enqueue_once get their run when they start; until then only
        # the queue knows them (e.g. a reminder planned for the day before an appointment).
        known = set(TaskRun.objects.filter(status__in=OPEN_STATUSES).values_list("result_id", flat=True))
        waiting = queue_rows.filter(status=TaskResultStatus.READY).order_by("run_after")
        if task:
            waiting = waiting.filter(task_path__icontains=task)
        now = timezone.now()
        for row in waiting.iterator():
            if len(lines) >= limit:
                break
            due_at = _due(row.run_after)
            status = SCHEDULED if due_at is not None and due_at > now else TaskRun.Status.PENDING
            if str(row.id) in known or status not in wanted:
                continue
            lines.append(
                TaskLine(
                    number=None,
                    task=_short_path(row.task_path),
                    status=status,
                    attempts=0,
                    max_attempts=None,
                    due=due_at,
                    error="",
                    key=str(row.id),
                )
            )
    return lines


@dataclass(frozen=True)
class QueueState:
    """The queue at one moment: ``ready`` tasks are due now, ``retries`` are later attempts
    of failed runs (``next_retry`` the first), ``planned`` tasks wait for a time on purpose."""

    ready: int
    retries: int
    next_retry: datetime | None
    planned: int
    next_planned: datetime | None

    @property
    def empty(self) -> bool:
        """Nothing to do now and no retry outstanding (planned tasks do not count)."""
        return not self.ready and not self.retries


def queue_state(*, backend: str = "default", queue_names: Collection[str] | None = None) -> QueueState:
    """Count the database queue's waiting tasks for ``backend`` (and ``queue_names``)."""
    rows = _queued([TaskResultStatus.READY]).filter(backend_name=backend)
    if queue_names is not None and "*" not in queue_names:
        rows = rows.filter(queue_name__in=list(queue_names))
    ready = rows.ready().count()
    later = list(
        rows.filter(run_after__gt=timezone.now())
        .exclude(run_after=get_date_max())  # "as soon as possible": counted as ready
        .values_list("id", "run_after")
    )
    retrying = set(
        TaskRun.objects.filter(status=TaskRun.Status.RETRYING)
        .exclude(result_id="")
        .values_list("result_id", flat=True)
    )
    retries = sorted(when for key, when in later if str(key) in retrying)
    planned = sorted(when for key, when in later if str(key) not in retrying)
    return QueueState(
        ready=ready,
        retries=len(retries),
        next_retry=retries[0] if retries else None,
        planned=len(planned),
        next_planned=planned[0] if planned else None,
    )
