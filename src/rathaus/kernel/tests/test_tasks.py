"""Idempotent, retried tasks: with the real database queue and worker, and the immediate backend."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.kernel.models import TaskRun
from rathaus.kernel.tasks import enqueue_once, rathaus_task, retry_run

CALLS: dict[str, int] = {}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@rathaus_task(retries=2, backoff_seconds=0)
def flaky(*, name: str, failures: int) -> str:
    CALLS[name] = CALLS.get(name, 0) + 1
    if CALLS[name] <= failures:
        raise ConnectionError(f"SMTP down (password=hunter2), attempt {CALLS[name]}")
    return f"done after {CALLS[name]}"


@rathaus_task(retries=3, backoff_seconds=60)
def slow_retry(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1
    raise TimeoutError("remote office not answering")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker():
    call_command(
        "worker", "--batch", "--interval=0", "--worker-id=test-worker", verbosity=0, stdout=StringIO()
    )


@pytest.mark.django_db(transaction=True)
def test_failing_task_is_retried_by_the_worker_until_it_succeeds(database_queue):
    """Two failures, then success: three attempts, three queue rows, run marked succeeded."""
    # given
    run = enqueue_once(flaky, key="flaky:1", name="one", failures=2)
    assert run.status == TaskRun.Status.PENDING
    assert DBTaskResult.objects.count() == 1
    # when
    run_worker()
    # then
    run.refresh_from_db()
    assert (run.status, run.attempts, CALLS["one"]) == (TaskRun.Status.SUCCEEDED, 3, 3)
    assert run.last_error == ""
    statuses = sorted(DBTaskResult.objects.values_list("status", flat=True))
    assert statuses == ["FAILED", "FAILED", "SUCCESSFUL"]


@pytest.mark.django_db(transaction=True)
def test_task_failing_every_time_ends_failed_with_redacted_error(database_queue):
    """After retries+1 attempts the run is failed; its error text carries no secret."""
    run = enqueue_once(flaky, key="flaky:2", name="two", failures=99)
    run_worker()
    run.refresh_from_db()
    assert (run.status, run.attempts, CALLS["two"]) == (TaskRun.Status.FAILED, 3, 3)
    assert "ConnectionError: SMTP down" in run.last_error
    assert "hunter2" not in run.last_error
    assert run.finished_at is not None


@pytest.mark.django_db(transaction=True)
def test_same_key_enqueues_once(database_queue):
    """A second enqueue_once with the same key returns the existing run and queues nothing."""
    first = enqueue_once(flaky, key="flaky:3", name="three", failures=0)
    second = enqueue_once(flaky, key="flaky:3", name="three", failures=0)
    assert first.pk == second.pk
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert CALLS["three"] == 1


@pytest.mark.django_db(transaction=True)
def test_succeeded_run_is_not_executed_again(database_queue):
    """If a queue row for a finished run is delivered twice, the function does not run twice."""
    run = enqueue_once(flaky, key="flaky:4", name="four", failures=0)
    run_worker()
    flaky.enqueue(name="four", failures=0, _rathaus_run=run.pk)
    run_worker()
    assert CALLS["four"] == 1


@pytest.mark.django_db(transaction=True)
def test_retry_waits_for_the_backoff(database_queue):
    """With a backoff the retry is queued for later, not run at once."""
    run = enqueue_once(slow_retry, key="slow:1", name="slow")
    before = timezone.now()
    run_worker()
    run.refresh_from_db()
    assert (run.status, run.attempts, CALLS["slow"]) == (TaskRun.Status.RETRYING, 1, 1)
    pending = DBTaskResult.objects.get(status="READY")
    assert pending.run_after > before


@pytest.mark.django_db(transaction=True)
def test_failed_run_can_be_retried(database_queue):
    """retry_run (the admin action) gives a failed run fresh attempts."""
    run = enqueue_once(flaky, key="flaky:5", name="five", failures=3)
    run_worker()
    run.refresh_from_db()
    assert run.status == TaskRun.Status.FAILED
    retry_run(run)
    run_worker()
    run.refresh_from_db()
    assert (run.status, CALLS["five"]) == (TaskRun.Status.SUCCEEDED, 4)


@pytest.mark.django_db
def test_immediate_backend_runs_and_retries_at_once():
    """In tests and development the immediate backend runs attempts synchronously."""
    run = enqueue_once(flaky, key="flaky:6", name="six", failures=1)
    assert (run.status, run.attempts) == (TaskRun.Status.SUCCEEDED, 2)


@pytest.mark.django_db
def test_task_can_be_enqueued_by_its_dotted_path():
    """A service names its app's task by path, so services and tasks need not import each other."""
    run = enqueue_once("rathaus.kernel.tests.test_tasks.flaky", key="flaky:7", name="seven", failures=1)
    assert (run.task_path, run.status, CALLS["seven"]) == (flaky.module_path, TaskRun.Status.SUCCEEDED, 2)


@pytest.mark.django_db
def test_dotted_path_must_name_a_task():
    """A path to anything but a task is refused before a run is recorded."""
    with pytest.raises(TypeError):
        enqueue_once("rathaus.kernel.tests.test_tasks.run_worker", key="not-a-task")
    assert not TaskRun.objects.filter(key="not-a-task").exists()


@pytest.mark.django_db
def test_enqueue_once_needs_a_rathaus_task():
    """Plain functions or tasks without the decorator are refused."""
    with pytest.raises(TypeError):
        enqueue_once(print, key="x")  # type: ignore[arg-type]


def test_worker_command_has_help():
    """`rathaus worker --help` documents the options."""
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("worker", "--help", stdout=out)
