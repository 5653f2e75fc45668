"""The operator's command line: `rathaus worker --until-empty`, `rathaus tasks`, the cache
table that comes with `migrate`, and one clear line when the database is not set up."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from rathaus.kernel.models import TaskRun
from rathaus.kernel.tasks import enqueue_once, queue_state, rathaus_task

CALLS: dict[str, int] = {}
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
RATHAUS = Path(sys.executable).with_name("rathaus")


@rathaus_task(retries=2, backoff_seconds=1)
def fails_once(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1
    if CALLS[name] == 1:
        raise ConnectionError("Mailserver antwortet nicht")


@rathaus_task(retries=3, backoff_seconds=3600)
def always_fails(*, name: str) -> None:
    raise TimeoutError(f"Register für {name} nicht erreichbar")


@rathaus_task(retries=1, backoff_seconds=60)
def reminder(*, name: str) -> None:
    CALLS[name] = CALLS.get(name, 0) + 1


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def run(*arguments: str) -> str:
    out = StringIO()
    out._out = out  # type: ignore[attr-defined]  # rich writes to ._out of Django's OutputWrapper
    call_command(*arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


# --- rathaus worker --until-empty ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_batch_leaves_a_scheduled_retry_behind(database_queue):
    """`--batch` stops after the failed first attempt: its retry is still in the queue."""
    run_ = enqueue_once(fails_once, key="fails-once:batch", name="batch")
    call_command("worker", "--batch", "--interval=0", verbosity=0, stdout=StringIO())
    run_.refresh_from_db()
    assert run_.status == TaskRun.Status.RETRYING
    assert queue_state().retries == 1


@pytest.mark.django_db(transaction=True)
def test_until_empty_waits_for_the_retry_and_leaves_nothing_to_do(database_queue):
    """The worker waits for the retry scheduled a second ahead, runs it and reports an empty queue."""
    # given
    run_ = enqueue_once(fails_once, key="fails-once:1", name="one")
    # when
    started = time.monotonic()
    output = run("worker", "--until-empty", "--timeout=30", "--worker-id=until-empty")
    # then
    run_.refresh_from_db()
    assert (run_.status, run_.attempts, CALLS["one"]) == (TaskRun.Status.SUCCEEDED, 2, 2)
    assert queue_state().empty
    assert "warte" in output and "zur Wiederholung" in output
    assert "Warteschlange leer: 2 Aufträge" in output
    assert time.monotonic() - started < 20


@pytest.mark.django_db(transaction=True)
def test_until_empty_gives_up_with_one_line_when_the_retry_is_after_the_timeout(database_queue):
    """A retry an hour ahead with a 5-second timeout: an error naming it, without waiting."""
    enqueue_once(always_fails, key="always-fails:1", name="HB1")
    started = time.monotonic()
    with pytest.raises(CommandError) as raised:
        run("worker", "--until-empty", "--timeout=5")
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert "nicht leer" in message and "1 Auftrag zur Wiederholung" in message
    assert "\n" not in message


@pytest.mark.django_db(transaction=True)
def test_until_empty_does_not_wait_for_tasks_planned_for_later(database_queue):
    """A reminder planned for tomorrow stays queued; the worker ends and mentions it."""
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    reminder.using(run_after=tomorrow).enqueue(name="tomorrow")
    enqueue_once(reminder, key="reminder:now", name="now")
    output = run("worker", "--until-empty", "--timeout=5")
    assert CALLS == {"now": 1}
    assert "1 Auftrag für später geplant" in output
    state = queue_state()
    assert (state.empty, state.planned) == (True, 1)


def test_until_empty_refuses_max_tasks():
    with pytest.raises(CommandError, match="--max-tasks"):
        run("worker", "--until-empty", "--max-tasks=3")


# --- rathaus tasks --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_tasks_lists_failed_retrying_and_planned_tasks_with_their_errors(database_queue):
    """Failed runs show their last error; retries and planned tasks show when they run next."""
    # given: one run failed for good, one waiting for a retry, one reminder for tomorrow
    failed = enqueue_once(always_fails, key="always-fails:table", name="HB42")
    TaskRun.objects.filter(pk=failed.pk).update(
        status=TaskRun.Status.FAILED,
        attempts=4,
        last_error="TimeoutError: Register für HB42 nicht erreichbar",
    )
    retrying = enqueue_once(fails_once, key="fails-once:table", name="table")
    call_command("worker", "--batch", "--interval=0", verbosity=0, stdout=StringIO())
    reminder.using(run_after=timezone.now() + datetime.timedelta(days=1)).enqueue(name="later")
    # when
    everything = run("tasks")
    only_failed = run("tasks", "--failed")
    as_json = json.loads(run("tasks", "--json"))
    # then
    assert "Fehlgeschlagen" in everything and "Register für HB42 nicht erreichbar" in everything
    assert "Wird wiederholt" in everything and "Mailserver antwortet nicht" in everything
    assert "Geplant" in everything
    assert "Mailserver" not in only_failed and "HB42" in only_failed
    by_status = {line["status"]: line for line in as_json}
    assert set(by_status) == {"failed", "retrying", "scheduled"}
    assert by_status["retrying"]["number"] == retrying.pk
    assert by_status["retrying"]["due"] is not None
    assert by_status["scheduled"]["task"] == "kernel.tests.test_operator_commands.reminder"


@pytest.mark.django_db(transaction=True)
def test_tasks_retry_puts_a_failed_run_back_into_the_queue(database_queue):
    """`--retry NR` gives a failed run new attempts; a run that has not failed is refused."""
    failed = enqueue_once(always_fails, key="always-fails:retry", name="HB7")
    TaskRun.objects.filter(pk=failed.pk).update(status=TaskRun.Status.FAILED, attempts=4, max_attempts=4)
    output = run("tasks", "--retry", str(failed.pk))
    failed.refresh_from_db()
    assert failed.status == TaskRun.Status.PENDING
    assert f"Auftrag Nr. {failed.pk}" in output and "4 weitere Versuche" in output
    with pytest.raises(CommandError, match="nicht fehlgeschlagen"):
        run("tasks", "--retry", str(failed.pk))
    with pytest.raises(CommandError, match="keinen Hintergrundauftrag"):
        run("tasks", "--retry", "999999")


@pytest.mark.django_db
def test_tasks_says_so_when_there_is_nothing():
    assert "Keine offenen oder fehlgeschlagenen Hintergrundaufträge" in run("tasks")
    assert "Keine Hintergrundaufträge, die zu diesem Filter passen" in run("tasks", "--failed")


# --- migrate brings the cache table --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migrate_creates_the_database_cache_table(settings):
    """With the database cache of base.py, `migrate` alone creates its table (no createcachetable)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "rathaus_test_cache",
        }
    }
    assert "rathaus_test_cache" not in connection.introspection.table_names()
    try:
        call_command("migrate", verbosity=0, stdout=StringIO())
        assert "rathaus_test_cache" in connection.introspection.table_names()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS rathaus_test_cache")


# --- the rathaus command itself (a real process, an empty embedded database) ----------------


def _rathaus(tmp_path: Path, *arguments: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DEBUG")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "rathaus.config.settings.local", "RATHAUS_VAR_DIR": str(tmp_path), **extra}
    )
    return subprocess.run(  # noqa: S603 - our own command
        [str(RATHAUS), *arguments], env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.mark.parametrize("command", [["tasks"], ["demo_logins"], ["worker", "--until-empty"]])
def test_a_command_on_a_database_that_is_not_set_up_says_so_in_one_line(tmp_path, command):
    """No traceback: one line that names the problem and `rathaus migrate`."""
    done = _rathaus(tmp_path, *command)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # Log lines (the worker announces its start) may come first; the error is one line.
    lines = [line for line in done.stderr.splitlines() if " INFO " not in line and line.strip()]
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("rathaus: Die Datenbank ist nicht eingerichtet")
    assert "rathaus migrate" in lines[0]


def test_commands_explain_themselves(tmp_path):
    for command in ("tasks", "worker"):
        done = _rathaus(tmp_path, command, "--help")
        assert done.returncode == 0
        assert "--help" in done.stdout
    assert "--failed" in _rathaus(tmp_path, "tasks", "--help").stdout
    assert "--until-empty" in _rathaus(tmp_path, "worker", "--help").stdout


# --- commands named in the kernel's docstrings exist ---------------------------------------


def test_every_rathaus_command_named_in_the_kernel_and_cli_exists():
    """Docstrings like kernel/search/__init__.py's name only commands that `rathaus help` lists."""
    import re

    from django.core.management import get_commands

    source = Path(__file__).resolve().parents[2]
    files = [*sorted((source / "kernel").rglob("*.py")), source / "cli.py"]
    named = {
        (path.relative_to(source).as_posix(), match)
        for path in files
        if "tests" not in path.parts
        for match in re.findall(r"`rathaus ([a-z_]+)", path.read_text(encoding="utf-8"))
    }
    known = {*get_commands(), "help"}  # `rathaus help` is built into the command line
    missing = sorted((name, command) for name, command in named if command not in known)
    assert not missing
    # The index is rebuilt by `rathaus directory reindex`.
    assert ("kernel/search/__init__.py", "directory") in named


def test_migrate_then_demo_loads_the_whole_demo(tmp_path):
    """The newcomer's path: `rathaus migrate`, then `rathaus demo`, with no other step between."""
    migrated = _rathaus(tmp_path, "migrate", "--no-input", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    demo = _rathaus(tmp_path, "demo", "--residents", "20", "--seed", "2")
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "Traceback" not in demo.stderr
    assert "Terminvergabe" in demo.stdout  # the last part of the demo
