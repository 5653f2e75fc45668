"""``rathaus registers proactive-run [--date YYYY-MM-DD]``: the daily proactive run.

Run once a day (cron, systemd timer, Kubernetes CronJob). Partitions the whole register into
chunks of persons, queues one keyed task per chunk (``rathaus.registers.proactive``) and waits
until the worker has done them, with a progress bar, then prints a summary. Running it again for
the same day, after a crash for instance, queues only the chunks not queued yet; events and
offers are created once whatever happens.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rathaus.kernel.cli import positive
from rathaus.kernel.tasks import TaskRun
from rathaus.registers import proactive

_DONE = (TaskRun.Status.SUCCEEDED, TaskRun.Status.FAILED)


class Command(BaseCommand):
    help = (
        "Melderegister: tägliche Läufe. proactive-run prüft die ganze Bevölkerung auf die "
        "Ansprüche des Tages (proaktive Angebote). Registers: daily runs; proactive-run checks the "
        "whole population for the day's entitlements."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "proactive-run",
            help=(
                "Bevölkerung in Abschnitten auf die Ansprüche des Tages prüfen, je Abschnitt ein "
                "Hintergrundauftrag; wiederholbar, nichts geschieht doppelt (check the population "
                "in chunks, one background task each; safe to repeat)"
            ),
        )
        run.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Stichtag JJJJ-MM-TT (Standard: heute) / reference date (default: today)",
        )
        run.add_argument(
            "--chunk-size",
            type=positive,
            default=proactive.DEFAULT_CHUNK_SIZE,
            help="Personen-IDs je Abschnitt (%(default)s) / person ids per chunk",
        )
        run.add_argument(
            "--no-wait",
            action="store_true",
            help="Nur einreihen, nicht auf den Worker warten / only queue, do not wait for the worker",
        )
        run.add_argument(
            "--timeout",
            type=float,
            default=3600.0,
            help="Höchstens so viele Sekunden auf den Worker warten (%(default).0f) / seconds to wait",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: datetime.date = options["date"] or timezone.localdate()
        chunks = proactive.chunks_for(day=day, chunk_size=options["chunk_size"])
        console = Console(file=self.stdout._out, width=120)  # type: ignore[attr-defined]
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        queued = 0
        with Progress(*columns, console=console, transient=False) as progress:
            bar = progress.add_task(f"Abschnitte einreihen ({day:%d.%m.%Y})", total=len(chunks))
            for chunk in chunks:
                queued += proactive.chunk_enqueue(day=day, chunk=chunk)[1]
                progress.advance(bar)
            keys = [chunk.key for chunk in chunks]
            if not options["no_wait"]:
                self._wait(progress, keys, options["timeout"])
        runs = TaskRun.objects.filter(key__in=keys)
        done = runs.filter(status=TaskRun.Status.SUCCEEDED).count()
        failed = runs.filter(status=TaskRun.Status.FAILED).count()
        summary = proactive.day_summary(day=day)
        self.stdout.write(
            f"Proaktiver Lauf {day:%d.%m.%Y}: {len(chunks)} Abschnitte ({queued} neu eingereiht, "
            f"{len(chunks) - queued} schon vorhanden), {done} erledigt, {failed} fehlgeschlagen, "
            f"{len(chunks) - done - failed} ausstehend."
        )
        self.stdout.write(
            f"Regelaltersgrenze erreicht: {summary.events} Ereignisse ({summary.processed} ausgewertet), "
            f"{summary.offers} Angebote."
        )
        if failed:
            raise CommandError(f"{failed} Abschnitte sind fehlgeschlagen; `rathaus tasks` zeigt sie.")

    def _wait(self, progress: Progress, keys: list[str], timeout: float) -> None:
        bar = progress.add_task("Abschnitte prüfen (Worker)", total=len(keys))
        deadline = time.monotonic() + timeout
        while True:
            finished = TaskRun.objects.filter(key__in=keys, status__in=_DONE).count()
            progress.update(bar, completed=finished)
            if finished >= len(keys):
                return
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Nach {timeout:.0f} s sind {len(keys) - finished} Abschnitte nicht erledigt; "
                    "läuft `rathaus worker`? Erneut aufrufen setzt den Lauf fort."
                )
            time.sleep(1.0)
