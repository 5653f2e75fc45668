"""``rathaus worker``: run background tasks from the database queue (django-tasks-db).

Runs any number of times on any number of machines against the same database; each
task is claimed by exactly one worker. Defaults suit production: all queues, one-second
polling, no auto-reload. ``--batch`` works off what is due now and exits; ``--until-empty``
also waits for the retries of failed attempts that are scheduled minutes ahead (at most
``--timeout`` seconds), so that afterwards nothing is left to do (cron, tests, CI). Tasks
planned for a later time on purpose, such as an appointment reminder for the day before,
stay in the queue and are counted in the summary; ``rathaus tasks`` lists them.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from rathaus.kernel.tasks import queue_state


def _clock(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S")


def _tasks(count: int) -> str:
    return "1 Auftrag" if count == 1 else f"{count} Aufträge"


class Command(BaseCommand):
    help = (
        "Hintergrundaufträge aus der Datenbank-Warteschlange abarbeiten (alle Warteschlangen; "
        "mit --batch: was jetzt fällig ist; mit --until-empty: auch geplante Wiederholungen "
        "abwarten, bis nichts mehr zu tun ist)."
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
                "Abarbeiten und auf geplante Wiederholungen fehlgeschlagener Versuche warten, bis "
                "die Warteschlange leer ist (höchstens --timeout Sekunden; Exit-Code 1, wenn dann "
                "noch Wiederholungen ausstehen). Aufträge, die für später geplant sind "
                "(Erinnerungen), bleiben liegen."
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
        """Batch runs until no task is due and no retry is outstanding, waiting for retries."""
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
            done += worker._run_tasks
            state = queue_state(backend=options["backend"], queue_names=queues)
            if state.ready:
                continue  # became due while the batch ran
            if state.empty:
                break
            assert state.next_retry is not None  # noqa: S101 - retries > 0 here
            wait = (state.next_retry - timezone.now()).total_seconds()
            left = deadline - time.monotonic()
            if wait > left:
                raise CommandError(
                    f"Warteschlange nicht leer: {_tasks(state.retries)} zur Wiederholung, die nächste "
                    f"um {_clock(state.next_retry)}, nach Ablauf von --timeout {timeout:.0f} s "
                    f"({_tasks(done)} ausgeführt; `rathaus tasks --open` zeigt sie)."
                )
            if verbose:
                self.stdout.write(
                    f"{_tasks(done)} ausgeführt; warte {max(wait, 0):.0f} s auf "
                    f"{_tasks(state.retries)} zur Wiederholung (nächste um {_clock(state.next_retry)}) …"
                )
            time.sleep(max(wait, 0) + 0.05)
        if verbose:
            seconds = f"{time.monotonic() - started:.1f}".replace(".", ",")
            summary = f"Warteschlange leer: {_tasks(done)} in {seconds} s ausgeführt."
            if state.planned:
                summary += (
                    f" {_tasks(state.planned)} für später geplant (der nächste um "
                    f"{_clock(state.next_planned)}; `rathaus tasks --open`)."
                )
            self.stdout.write(summary)
