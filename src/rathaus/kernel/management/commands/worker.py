"""``rathaus worker``: run background tasks from the database queue (django-tasks-db).

Runs any number of times on any number of machines against the same database; each
task is claimed by exactly one worker. Defaults suit production: all queues, one-second
polling, no auto-reload. ``--batch`` works off what is due now and exits; ``--until-empty``
also waits for the retries of failed attempts that are scheduled minutes ahead (at most
``--timeout`` seconds), so that afterwards nothing is left to do (cron, tests, CI). Tasks
planned for a later time on purpose, such as an appointment reminder for the day before,
stay in the queue and are counted in the summary; ``rathaus tasks`` lists them.

A worker that dies (``kill -9``, out of memory, power cut) leaves its run "running" until its
lease runs out (30 s unless the task says otherwise); then any worker hands it back
(``kernel.tasks.recovery``): every worker at start, a watch thread while it runs, and
``--until-empty``, which also waits for running tasks and their leases.
"""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from rathaus.kernel.tasks import QueueState, StaleWatch, queue_state, requeue_stale


def _clock(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S")


def _tasks(count: int) -> str:
    return "1 Auftrag" if count == 1 else f"{count} Aufträge"


class Command(BaseCommand):
    help = (
        "Hintergrundaufträge aus der Datenbank-Warteschlange abarbeiten (alle Warteschlangen; "
        "mit --batch: was jetzt fällig ist; mit --until-empty: auch geplante Wiederholungen "
        "abwarten, bis nichts mehr zu tun ist). Aufträge eines abgebrochenen Workers (kill -9, "
        "Absturz) reiht jeder Worker wieder ein, sobald ihre Frist (Lease) abgelaufen ist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue-name", default="*", help="Warteschlangen, kommagetrennt; '*' für alle (Standard)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Sekunden zwischen Abfragen (Standard: 1)."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--batch", action="store_true", help="Alle jetzt fälligen Aufträge abarbeiten, dann beenden."
        )
        mode.add_argument(
            "--until-empty",
            action="store_true",
            help=(
                "Abarbeiten und auf geplante Wiederholungen fehlgeschlagener Versuche und auf "
                "laufende Aufträge warten, bis die Warteschlange leer ist (höchstens --timeout "
                "Sekunden; Exit-Code 1, wenn dann noch etwas aussteht). Aufträge eines "
                "abgebrochenen Workers werden nach Ablauf ihrer Frist wieder eingereiht. Aufträge, "
                "die für später geplant sind (Erinnerungen), bleiben liegen."
            ),
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=600.0,
            help="Mit --until-empty: höchstens so viele Sekunden warten (Standard: %(default).0f).",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Nach so vielen Aufträgen beenden.")
        parser.add_argument(
            "--worker-id", default=None, help="Eindeutige ID dieses Workers (Standard: zufällig)."
        )
        parser.add_argument("--backend", default="default", help="Aufgaben-Backend aus settings.TASKS.")
        parser.add_argument(
            "--reload", action="store_true", help="Bei Codeänderungen neu starten (nur in der Entwicklung)."
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["until_empty"]:
            if options["max_tasks"] is not None or options["reload"]:
                raise CommandError("--until-empty lässt sich nicht mit --max-tasks oder --reload verbinden.")
            self._until_empty(options)
            return
        reloader = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloader:  # the reloader's parent process runs no tasks
            self._requeue_stale(options["verbosity"])
        watch = None if options["batch"] or reloader else StaleWatch().start()
        try:
            self._db_worker(options)
        finally:
            if watch is not None:
                watch.stop()

    def _requeue_stale(self, verbosity: int) -> None:
        """Hand back what dead workers left behind, one line each."""
        for recovered in requeue_stale():
            if verbosity >= 1:
                self.stdout.write(recovered.summary)

    def _db_worker(self, options: dict[str, Any]) -> None:
        arguments = [
            f"--queue-name={options['queue_name']}",
            f"--interval={options['interval']}",
            f"--backend={options['backend']}",
            "--reload" if options["reload"] else "--no-reload",
        ]
        if options["batch"]:
            arguments += ["--batch", "--no-startup-delay"]
        if options["max_tasks"] is not None:
            arguments.append(f"--max-tasks={options['max_tasks']}")
        if options["worker_id"]:
            arguments.append(f"--worker-id={options['worker_id']}")
        call_command(
            "db_worker", *arguments, verbosity=options["verbosity"], stdout=self.stdout, stderr=self.stderr
        )

    def _until_empty(self, options: dict[str, Any]) -> None:
        """Batch runs until nothing is due, running or waiting for a retry; waits for retries
        and for the leases of running tasks (a dead worker's run is handed back after it)."""
        timeout = max(0.0, float(options["timeout"]))
        deadline = time.monotonic() + timeout
        queues = options["queue_name"].split(",")
        worker_id = options["worker_id"] or get_random_string(32)
        verbose = options["verbosity"] >= 1
        # The same per-task log lines as `rathaus worker` (django-tasks' own logging).
        logs = DbWorkerCommand(stdout=self.stdout, stderr=self.stderr)  # type: ignore[arg-type]
        logs.configure_logging(options["verbosity"])
        started, done = time.monotonic(), 0
        while True:
            self._requeue_stale(options["verbosity"])
            done += self._batch(options, queues, worker_id)
            state = queue_state(backend=options["backend"], queue_names=queues)
            if state.ready:
                continue  # became due while the batch ran
            if state.empty:
                break
            wake = min(moment for moment in (state.next_retry, state.lease_end) if moment is not None)
            wait = (wake - timezone.now()).total_seconds()
            if wait > deadline - time.monotonic():
                raise CommandError(
                    f"Warteschlange nicht leer: {_outstanding(state)}, nach Ablauf von --timeout "
                    f"{timeout:.0f} s ({_tasks(done)} ausgeführt; `rathaus tasks --open` zeigt sie)."
                )
            if verbose:
                self.stdout.write(
                    f"{_tasks(done)} ausgeführt; warte {max(wait, 0):.0f} s auf {_outstanding(state)} …"
                )
            # A lease that ran out but could not be handed back yet (database busy): try again soon.
            time.sleep(max(wait, 0.45) + 0.05)
        if verbose:
            seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
            summary = f"Warteschlange leer: {_tasks(done)} in {seconds} s ausgeführt."
            if state.planned:
                summary += (
                    f" {_tasks(state.planned)} für später geplant (der nächste um "
                    f"{_clock(state.next_planned)}; `rathaus tasks --open`)."
                )
            self.stdout.write(summary)

    @staticmethod
    def _batch(options: dict[str, Any], queues: list[str], worker_id: str) -> int:
        """Run what is due now; the number of tasks run."""
        worker = Worker(
            queue_names=queues,
            interval=0,
            batch=True,
            backend_name=options["backend"],
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.run()
        return worker._run_tasks


def _outstanding(state: QueueState) -> str:
    """What holds the queue up, e.g. "1 Auftrag zur Wiederholung, die nächste um …"."""
    parts = []
    if state.retries and state.next_retry is not None:
        parts.append(f"{_tasks(state.retries)} zur Wiederholung, die nächste um {_clock(state.next_retry)}")
    if state.running and state.lease_end is not None:
        parts.append(
            f"{_tasks(state.running)} in Arbeit (Frist des Workers bis {_clock(state.lease_end)}, "
            "danach wird ein abgebrochener Auftrag wieder eingereiht)"
        )
    return "; ".join(parts)
