"""``rathaus tasks``: the background jobs that are waiting, planned, being retried, stale or
failed, with their last error (until now only visible in the admin). Stale ("Verwaist"): the
worker running it died (``kill -9``, crash) and its lease ran out; any worker hands it back at
its next check, ``--requeue-stale`` does it now."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from rathaus.kernel.models import TaskRun
from rathaus.kernel.tasks import (
    OPEN_STATUSES,
    SCHEDULED,
    STALE,
    TaskLine,
    requeue_stale,
    retry_run,
    task_lines,
)

ERROR_CHARS = 100
WAITING = (TaskRun.Status.PENDING, TaskRun.Status.RETRYING, SCHEDULED)


def _short_path_of(run: TaskRun) -> str:
    return run.task_path.removeprefix("rathaus.")


def _when(moment: Any) -> str:
    return "sofort" if moment is None else timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S")


def _statuses(options: dict[str, Any]) -> set[str] | None:
    """The statuses the filter options ask for; None: the default (all but succeeded)."""
    if options["failed"]:
        return {TaskRun.Status.FAILED}
    if options["open"]:
        return {*OPEN_STATUSES, SCHEDULED, STALE}
    if options["stale"]:
        return {STALE}
    if options["all"]:
        return {*TaskRun.Status.values, SCHEDULED, STALE}
    return None


class Command(BaseCommand):
    help = (
        "Hintergrundaufträge auflisten: wartende, geplante, laufende, wiederholte, verwaiste und "
        "fehlgeschlagene, mit dem letzten Fehler (Standard: alle außer erfolgreichen). Verwaist "
        "heißt: der Worker, der den Auftrag ausführte, ist abgebrochen (kill -9, Absturz) und hat "
        "sich länger als die Frist des Auftrags (Lease, 30 s) nicht gemeldet; jeder laufende "
        "Worker reiht ihn bei seiner nächsten Prüfung wieder ein, --requeue-stale sofort. Lists "
        "background tasks with their errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--failed", action="store_true", help="Nur endgültig fehlgeschlagene Aufträge.")
        which.add_argument(
            "--open",
            action="store_true",
            help="Nur offene Aufträge: wartend, laufend, verwaist, zur Wiederholung oder für später geplant.",
        )
        which.add_argument(
            "--stale",
            action="store_true",
            help="Nur verwaiste Aufträge: ihr Worker ist abgebrochen und ihre Frist (Lease) abgelaufen.",
        )
        which.add_argument("--all", action="store_true", help="Auch erfolgreich erledigte Aufträge.")
        parser.add_argument("--task", default="", help="Nur Aufträge, deren Pfad diesen Text enthält.")
        parser.add_argument(
            "--limit", type=int, default=50, help="Höchstens so viele Zeilen (Standard: %(default)s)."
        )
        parser.add_argument("--full", action="store_true", help="Fehlermeldungen vollständig zeigen.")
        parser.add_argument("--json", action="store_true", help="Als JSON ausgeben (für Skripte).")
        parser.add_argument(
            "--retry",
            type=int,
            metavar="NR",
            help="Einen fehlgeschlagenen Auftrag (Nr. aus der Liste) mit neuen Versuchen wieder einreihen.",
        )
        parser.add_argument(
            "--requeue-stale",
            action="store_true",
            help=(
                "Verwaiste Aufträge jetzt wieder einreihen, statt auf die nächste Prüfung eines "
                "Workers zu warten (der Versuch zählt; ohne Versuche übrig: fehlgeschlagen). "
                "Aufträge, deren Worker sich noch meldet, bleiben unberührt."
            ),
        )

    def handle(self, *args: object, **options: Any) -> None:
        if options["retry"] is not None:
            self._retry(options["retry"])
            return
        if options["requeue_stale"]:
            self._requeue_stale()
            return
        statuses = _statuses(options)
        lines = task_lines(statuses=statuses, task=options["task"], limit=max(1, options["limit"]))
        if options["json"]:
            self.stdout.write(
                json.dumps([self._as_json(line) for line in lines], ensure_ascii=False, indent=2)
            )
            return
        console = Console(file=self.stdout._out, width=160)  # type: ignore[arg-type]
        if not lines:
            console.print(
                "Keine offenen oder fehlgeschlagenen Hintergrundaufträge."
                if statuses is None and not options["task"]
                else "Keine Hintergrundaufträge, die zu diesem Filter passen."
            )
            return
        console.print(self._table(lines, full=options["full"]))
        if any(line.status == STALE for line in lines):
            console.print(
                "Verwaiste Aufträge reiht jeder laufende `rathaus worker` binnen Sekunden wieder ein; "
                "sofort: `rathaus tasks --requeue-stale`."
            )
        if len(lines) >= options["limit"]:
            console.print(f"Nur die ersten {options['limit']} gezeigt (--limit).")

    def _table(self, lines: list[TaskLine], *, full: bool) -> Table:
        table = Table(title=f"Hintergrundaufträge ({len(lines)})", title_justify="left")
        for column, justify in (
            ("Nr.", "right"),
            ("Auftrag", "left"),
            ("Status", "left"),
            ("Versuche", "right"),
            ("Nächster Lauf", "left"),
            ("Letzter Fehler", "left"),
        ):
            table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for line in lines:
            error = line.error if full else self._short(line.error)
            if line.stale_since is not None:
                error = f"Worker ohne Lebenszeichen seit {_when(line.stale_since)}" + (
                    f"; {error}" if error else ""
                )
            table.add_row(
                str(line.number) if line.number is not None else "–",
                line.task,
                line.status_label,
                f"{line.attempts} von {line.max_attempts}" if line.max_attempts else "–",
                _when(line.due) if line.status in WAITING else "–",
                error or "–",
            )
        return table

    def _retry(self, number: int) -> None:
        run = TaskRun.objects.filter(pk=number).first()
        if run is None:
            raise CommandError(f"Es gibt keinen Hintergrundauftrag Nr. {number}.")
        if run.status != TaskRun.Status.FAILED:
            raise CommandError(
                f"Auftrag Nr. {number} ist nicht fehlgeschlagen ({run.get_status_display()}); "
                "nur fehlgeschlagene Aufträge lassen sich erneut versuchen."
            )
        run = retry_run(run)
        self.stdout.write(
            f"Auftrag Nr. {number} ({_short_path_of(run)}) ist wieder eingereiht: "
            f"bis zu {run.max_attempts - run.attempts} weitere Versuche."
        )

    def _requeue_stale(self) -> None:
        recovered = requeue_stale()
        for item in recovered:
            self.stdout.write(item.summary)
        if not recovered:
            self.stdout.write("Keine verwaisten Aufträge: nichts wieder einzureihen.")

    @staticmethod
    def _short(error: str) -> str:
        first = error.strip().splitlines()[0] if error.strip() else ""
        return first if len(first) <= ERROR_CHARS else first[: ERROR_CHARS - 1] + "…"

    @staticmethod
    def _as_json(line: TaskLine) -> dict[str, object]:
        return {
            "number": line.number,
            "task": line.task,
            "status": line.status,
            "status_label": line.status_label,
            "attempts": line.attempts,
            "max_attempts": line.max_attempts,
            "due": line.due.isoformat() if line.due else None,
            "error": line.error,
            "key": line.key,
            "stale_since": line.stale_since.isoformat() if line.stale_since else None,
        }
