"""``rathaus worker``: run background tasks from the database queue (django-tasks-db).

Runs any number of times on any number of machines against the same database; each
task is claimed by exactly one worker. Defaults suit production: all queues, one-second
polling, no auto-reload. ``--batch`` works off the queue and exits (cron, tests, CI).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Hintergrundaufträge aus der Datenbank-Warteschlange abarbeiten "
        "(alle Warteschlangen; mit --batch: bis die Warteschlange leer ist)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--queue-name", default="*", help="Warteschlangen, kommagetrennt; '*' für alle (Standard)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Sekunden zwischen Abfragen (Standard: 1)."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Alle offenen Aufträge abarbeiten, dann beenden."
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Nach so vielen Aufträgen beenden.")
        parser.add_argument(
            "--worker-id", default=None, help="Eindeutige ID dieses Workers (Standard: zufällig)."
        )
        parser.add_argument("--backend", default="default", help="Aufgaben-Backend aus settings.TASKS.")
        parser.add_argument(
            "--reload", action="store_true", help="Bei Codeänderungen neu starten (nur in der Entwicklung)."
        )

    def handle(self, *args, **options):
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
