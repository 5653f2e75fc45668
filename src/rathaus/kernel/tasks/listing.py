"""What is in the queue, as operators see it (``rathaus tasks``, ``rathaus worker --until-empty``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from ..models import TaskRun
from . import leases
from .recovery import Stale, running_rows, stale_work

OPEN_STATUSES = (TaskRun.Status.PENDING, TaskRun.Status.RUNNING, TaskRun.Status.RETRYING)
SCHEDULED = "scheduled"
STALE = "stale"
_STATUS_LABELS = {**dict(TaskRun.Status.choices), SCHEDULED: "Geplant", STALE: "Verwaist"}


@dataclass(frozen=True)
class TaskLine:
    """One background job as an operator sees it: a run (``number``) or a queued task that has
    not started yet and so has no run (``number`` None, e.g. a reminder planned for tomorrow).
    A "stale" line is work of a worker that died (``stale_since``: when its lease ran out); the
    next check of any worker hands it back."""

    number: int | None
    task: str
    status: str
    attempts: int
    max_attempts: int | None
    due: datetime | None
    error: str
    key: str
    stale_since: datetime | None = None

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
    """Open, scheduled, stale and failed jobs, newest change first (``statuses``: TaskRun
    statuses, "scheduled" and "stale"; default all but succeeded). ``task`` filters by a part
    of the task path."""
    wanted = (
        set(statuses) if statuses is not None else {*OPEN_STATUSES, TaskRun.Status.FAILED, SCHEDULED, STALE}
    )
    stale = (
        [item for item in stale_work() if task.lower() in item.task_path.lower()] if STALE in wanted else []
    )
    stale_runs = {item.run_id: item for item in stale if item.run_id is not None}
    runs = TaskRun.objects.filter(Q(status__in=wanted - {SCHEDULED, STALE}) | Q(pk__in=list(stale_runs)))
    if task:
        runs = runs.filter(task_path__icontains=task)
    found = list(runs.order_by("-updated_at", "-pk")[:limit])
    queue_rows = _queued([TaskResultStatus.READY, TaskResultStatus.RUNNING])
    # The queue's ids come back as UUIDs, runs keep them as text: match them as text.
    ids = [key for run in found if (key := leases.as_uuid(run.result_id))]
    due = {str(key): when for key, when in queue_rows.filter(id__in=ids).values_list("id", "run_after")}
    lines = [_run_line(run, due, stale_runs.get(run.pk)) for run in found]
    lines += [_row_line(item) for item in stale if item.run_id is None][: max(0, limit - len(lines))]
    if wanted & {SCHEDULED, TaskRun.Status.PENDING}:
        lines += _waiting_lines(queue_rows, wanted, task, limit - len(lines))
    return lines


def _run_line(run: TaskRun, due: dict[str, datetime], stale: Stale | None) -> TaskLine:
    return TaskLine(
        number=run.pk,
        task=_short_path(run.task_path),
        status=STALE if stale else run.status,
        attempts=run.attempts,
        max_attempts=run.max_attempts,
        due=_due(due[run.result_id]) if run.result_id in due else None,
        error=run.last_error,
        key=run.key,
        stale_since=stale.since if stale else None,
    )


def _row_line(item: Stale) -> TaskLine:
    return _queue_line(item.task_path, STALE, item.row_id, stale_since=item.since)


def _queue_line(
    task_path: str, status: str, key: str, *, due: datetime | None = None, stale_since: datetime | None = None
) -> TaskLine:
    """A line for work only the queue knows: no run, so no number, attempts or error."""
    return TaskLine(
        number=None,
        task=_short_path(task_path),
        status=status,
        attempts=0,
        max_attempts=None,
        due=due,
        error="",
        key=key,
        stale_since=stale_since,
    )


def _waiting_lines(queue_rows: Any, wanted: set[str], task: str, room: int) -> list[TaskLine]:
    """Tasks enqueued without enqueue_once get their run when they start; until then only the
    queue knows them (e.g. a reminder planned for the day before an appointment)."""
    known = set(TaskRun.objects.filter(status__in=OPEN_STATUSES).values_list("result_id", flat=True))
    waiting = queue_rows.filter(status=TaskResultStatus.READY).order_by("run_after")
    if task:
        waiting = waiting.filter(task_path__icontains=task)
    now = timezone.now()
    lines: list[TaskLine] = []
    for row in waiting.iterator():
        if len(lines) >= room:
            break
        due_at = _due(row.run_after)
        status = SCHEDULED if due_at is not None and due_at > now else TaskRun.Status.PENDING
        if str(row.id) in known or status not in wanted:
            continue
        lines.append(_queue_line(row.task_path, status, str(row.id), due=due_at))
    return lines


@dataclass(frozen=True)
class QueueState:
    """The queue at one moment: ``ready`` tasks are due now, ``retries`` are later attempts
    of failed runs (``next_retry`` the first), ``planned`` tasks wait for a time on purpose,
    ``running`` tasks are held by a worker (``lease_end``: the first moment one of them counts
    as abandoned, if its worker died)."""

    ready: int
    retries: int
    next_retry: datetime | None
    planned: int
    next_planned: datetime | None
    running: int = 0
    lease_end: datetime | None = None

    @property
    def empty(self) -> bool:
        """Nothing to do now, nothing running, no retry outstanding (planned tasks do not count)."""
        return not self.ready and not self.retries and not self.running


def queue_state(*, backend: str = "default", queue_names: Collection[str] | None = None) -> QueueState:
    """Count the database queue's waiting and running tasks for ``backend`` (and ``queue_names``)."""
    where: dict[str, Any] = {"backend_name": backend}
    if queue_names is not None and "*" not in queue_names:
        where["queue_name__in"] = list(queue_names)
    rows = _queued([TaskResultStatus.READY]).filter(**where)
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
    held = sorted(until for _row, until in running_rows(**where))
    return QueueState(
        ready=ready,
        retries=len(retries),
        next_retry=retries[0] if retries else None,
        planned=len(planned),
        next_planned=planned[0] if planned else None,
        running=len(held),
        lease_end=held[0] if held else None,
    )
