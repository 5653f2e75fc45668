"""Runs: the ``@rathaus_task`` decorator, ``enqueue_once``, ``retry_run`` and what happens to an
attempt (see the package docstring for the guarantees)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskContext, task
from django_tasks.base import Task

from ..logging import redact
from ..models import TaskRun
from . import leases

logger = logging.getLogger("rathaus.kernel.tasks")

RUN_KWARG = "_rathaus_run"
AnyTask = Task[..., Any]
MAX_ERROR_CHARS = 4000


class NoRetry(Exception):  # noqa: N818 (a marker, mixed into errors that end in "Error"/"Failed")
    """Mix into an exception raised by a task when trying again cannot help (the same input
    would fail the same way): the run is marked failed at once, without its remaining retries."""


@dataclass(frozen=True)
class TaskPolicy:
    """What ``@rathaus_task`` was told: attempts, pauses, lease and transaction."""

    retries: int
    backoff_seconds: int
    lease_seconds: int
    atomic: bool


def rathaus_task(
    *,
    retries: int = 3,
    backoff_seconds: int = 30,
    lease_seconds: int = leases.DEFAULT_LEASE_SECONDS,
    atomic: bool = False,
    queue_name: str = "default",
    priority: int = 0,
) -> Callable[[Callable[..., Any]], AnyTask]:
    """Turn a function into a Django task with retry bookkeeping (see the package docstring).

    ``lease_seconds``: how long a worker holds a running attempt without renewing it; it renews
    every third of that, so this is how soon the run of a killed worker is taken up again (not a
    limit on the task's duration). ``atomic``: run the function and record its success in one
    transaction, so that its database writes happen exactly once even if the worker dies right
    after them (only for tasks that write nothing but the database and are short: the
    transaction is held while the function runs).
    """
    if retries < 0 or backoff_seconds < 0:
        raise ValueError("retries and backoff_seconds must not be negative")
    if lease_seconds < leases.MIN_LEASE_SECONDS:
        raise ValueError(f"lease_seconds must be at least {leases.MIN_LEASE_SECONDS}")
    policy = TaskPolicy(retries, backoff_seconds, lease_seconds, atomic)

    def decorate(function: Callable[..., Any]) -> AnyTask:
        @functools.wraps(function)
        def runner(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            return _attempt(function, policy, registered, context, args, kwargs)

        # Keep name, module and docstring (the queue imports the task by that path) but
        # not __wrapped__, whose signature lacks the context argument the backend checks.
        del runner.__wrapped__
        runner.rathaus_policy = policy  # type: ignore[attr-defined]
        registered = task(queue_name=queue_name, priority=priority, takes_context=True)(runner)
        return registered

    return decorate


def _attempt(
    function: Callable[..., Any],
    policy: TaskPolicy,
    task_object: AnyTask,
    context: TaskContext,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """One delivery of a queue row: claim the run, run the function under a lease, record it."""
    run_id = kwargs.pop(RUN_KWARG, None)
    run = _run_for(run_id, context, function, kwargs, policy)
    claim = str(context.task_result.id)
    if not leases.claim(run.pk, claim, policy.lease_seconds):
        # Succeeded already (doing it again could send twice), failed for good, or another
        # attempt holds it: this delivery does nothing.
        logger.info("Task %s is %s: delivery %s does not run it", run.key, run.status, claim)
        return None
    run.refresh_from_db()
    heartbeat = leases.Heartbeat(run.pk, claim, policy.lease_seconds)
    try:
        if policy.atomic:
            with transaction.atomic():
                result = function(*args, **kwargs)
                heartbeat.halt()
                _succeed(run, claim)
        else:
            result = function(*args, **kwargs)
    except Exception as error:
        heartbeat.stop()
        _after_failure(run, claim, error, task_object=task_object, kwargs=kwargs)
        raise
    except BaseException:
        # The worker is being stopped in the middle of the function (a second Ctrl+C): hand the
        # run back at once instead of after the lease.
        heartbeat.stop()
        leases.release(run.pk, claim)
        raise
    heartbeat.stop()
    if not policy.atomic:
        _succeed(run, claim)
    return result


def _run_for(
    run_id: int | None,
    context: TaskContext,
    function: Callable[..., Any],
    kwargs: dict[str, Any],
    policy: TaskPolicy,
) -> TaskRun:
    if run_id is not None:
        return TaskRun.objects.get(pk=run_id)
    # Enqueued directly with .enqueue(): still record it, keyed by the queue's result id.
    run, _ = TaskRun.objects.get_or_create(
        key=f"result:{context.task_result.id}",
        defaults={
            "task_path": f"{function.__module__}.{function.__qualname__}",
            "kwargs": kwargs,
            "max_attempts": policy.retries + 1,
            "backoff_seconds": policy.backoff_seconds,
            "result_id": str(context.task_result.id),
        },
    )
    return run


def _succeed(run: TaskRun, claim: str) -> None:
    now = timezone.now()
    done = leases.holding(run.pk, claim).update(
        status=TaskRun.Status.SUCCEEDED, finished_at=now, last_error="", lease_until=None, updated_at=now
    )
    if not done:
        logger.error("Task %s: attempt %s lost its lease before it finished; not recorded", run.key, claim)
        raise leases.LeaseLost(f"Task {run.key}: attempt {claim} was handed to another attempt")


def _after_failure(
    run: TaskRun, claim: str, error: Exception, *, task_object: AnyTask, kwargs: dict[str, Any]
) -> None:
    if isinstance(error, leases.LeaseLost):
        return
    message = redact(f"{type(error).__name__}: {error}")[:MAX_ERROR_CHARS]
    final = run.attempts >= run.max_attempts or isinstance(error, NoRetry)
    settle_attempt(run, claim=claim, message=message, final=final, task_object=task_object, kwargs=kwargs)


def settle_attempt(
    run: TaskRun,
    *,
    claim: str,
    message: str,
    final: bool,
    task_object: AnyTask | None,
    kwargs: dict[str, Any],
) -> bool:
    """Record a failed attempt of ``run`` held by ``claim``: failed for good when ``final`` (or
    the task is gone), else retrying after ``backoff_seconds`` × 2^(attempt−1), enqueued in the
    same transaction. False if ``claim`` no longer holds the run (nothing recorded)."""
    now = timezone.now()
    held = leases.holding(run.pk, claim)
    with transaction.atomic():
        if final or task_object is None:
            if not held.update(
                status=TaskRun.Status.FAILED,
                last_error=message,
                finished_at=now,
                lease_until=None,
                updated_at=now,
            ):
                return False
            logger.error("Task %s failed for good after %d attempts: %s", run.key, run.attempts, message)
            return True
        if not held.update(
            status=TaskRun.Status.RETRYING, last_error=message, lease_until=None, updated_at=now
        ):
            return False
        delay = timedelta(seconds=run.backoff_seconds * 2 ** max(run.attempts - 1, 0))
        logger.warning("Task %s attempt %d failed, retrying in %s: %s", run.key, run.attempts, delay, message)
        enqueue_run(task_object, run, kwargs, delay)
    return True


def enqueue_run(task_object: AnyTask, run: TaskRun, kwargs: dict[str, Any], delay: timedelta | None) -> None:
    """Put an attempt of ``run`` into the queue (after ``delay``) and remember its queue row."""
    backend = task_object.get_backend()
    target = task_object
    if delay and backend.supports_defer:
        target = task_object.using(run_after=timezone.now() + delay)
    result = target.enqueue(**kwargs, **{RUN_KWARG: run.pk})
    # The immediate backend runs the task inside enqueue(); the id is recorded afterwards.
    TaskRun.objects.filter(pk=run.pk).update(result_id=str(result.id))


def policy_of(task_object: Any) -> TaskPolicy | None:
    """The ``@rathaus_task`` policy of a task, or None for any other object."""
    policy = getattr(getattr(task_object, "func", None), "rathaus_policy", None)
    return policy if isinstance(policy, TaskPolicy) else None


def task_at(path: str) -> AnyTask:
    """The task at the dotted ``path`` (made with ``@rathaus_task``)."""
    task_object = import_string(path)
    if not isinstance(task_object, Task):
        raise TypeError(f"{task_object!r} is not a task")
    return task_object


def _policy(task_object: AnyTask) -> TaskPolicy:
    policy = policy_of(task_object)
    if policy is None:
        raise TypeError("This needs a task made with @rathaus_task")
    return policy


def enqueue_once(task_object: AnyTask | str, *, key: str, **kwargs: Any) -> TaskRun:
    """Enqueue ``task_object`` with ``kwargs`` unless a run with ``key`` exists; return the run.

    ``task_object`` must come from ``@rathaus_task``, given as the task or by its dotted path
    (``"rathaus.efile.tasks.document_ocr"``): a service then enqueues its app's tasks without
    importing the module that imports the service back. ``kwargs`` must be JSON-serialisable.
    """
    if isinstance(task_object, str):
        task_object = task_at(task_object)
    policy = _policy(task_object)
    if not key or len(key) > 200:
        raise ValueError("key must be 1 to 200 characters")
    with transaction.atomic():
        run, created = TaskRun.objects.get_or_create(
            key=key,
            defaults={
                "task_path": task_object.module_path,
                "kwargs": kwargs,
                "max_attempts": policy.retries + 1,
                "backoff_seconds": policy.backoff_seconds,
            },
        )
        if created:
            enqueue_run(task_object, run, kwargs, delay=None)
            run.refresh_from_db()
    return run


def retry_run(run: TaskRun) -> TaskRun:
    """Give a failed run a fresh set of attempts (admin action "Erneut versuchen")."""
    if run.status != TaskRun.Status.FAILED:
        raise ValueError(f"Only failed runs can be retried, {run.key} is {run.status}")
    task_object = task_at(run.task_path)
    with transaction.atomic():
        run.status = TaskRun.Status.PENDING
        run.max_attempts = run.attempts + _policy(task_object).retries + 1
        run.finished_at = None
        run.lease_until = None
        run.save(update_fields=["status", "max_attempts", "finished_at", "lease_until", "updated_at"])
        enqueue_run(task_object, run, dict(run.kwargs), delay=None)
    run.refresh_from_db()
    return run
