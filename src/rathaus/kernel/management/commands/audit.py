"""``rathaus audit verify`` checks the hash chain; ``rathaus audit checkpoint`` signs its head for
safekeeping outside the database; ``rathaus audit tail -n 20`` shows the newest entries."""

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rathaus.kernel import audit
from rathaus.kernel.models import AuditEntry

logger = logging.getLogger("rathaus.audit.checkpoint")

# Show a progress bar only when the chain is long enough for it to matter.
PROGRESS_THRESHOLD = 10_000


class Command(BaseCommand):
    help = (
        "Prüfprotokoll: Hash-Kette prüfen (verify), ihren Stand signiert sichern (checkpoint) "
        "oder die neuesten Einträge zeigen (tail)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,checkpoint,tail}")
        verify = sub.add_parser("verify", help="Die ganze Kette prüfen; Exit-Code 1 beim ersten Bruch.")
        verify.add_argument("--chunk-size", type=int, default=2000, help="Einträge je Datenbankabruf.")
        verify.add_argument("--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen.")
        verify.add_argument(
            "--checkpoints",
            type=Path,
            metavar="DATEI",
            help="Datei mit Prüfpunkten (eine JSON-Zeile je Prüfpunkt, von 'checkpoint'): "
            "erkennt auch das Entfernen der neuesten Einträge.",
        )
        point = sub.add_parser(
            "checkpoint",
            help="Den Stand der Kette signiert ausgeben (und ins Log schreiben); "
            "außerhalb der Datenbank aufbewahren, z. B. täglich per Timer.",
        )
        point.add_argument(
            "--append", type=Path, metavar="DATEI", help="Den Prüfpunkt an diese Datei anhängen."
        )
        tail = sub.add_parser("tail", help="Die neuesten Einträge zeigen.")
        tail.add_argument("-n", type=int, default=20, dest="count", help="Anzahl (Standard: 20).")

    def handle(self, *args, subcommand, **options):
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)
        if subcommand == "tail":
            return self._tail(console, options["count"])
        if subcommand == "checkpoint":
            return self._checkpoint(console, options["append"])
        checkpoints = self._read_checkpoints(options["checkpoints"]) if options["checkpoints"] else []
        return self._verify(
            console, options["chunk_size"], show_progress=not options["no_progress"], checkpoints=checkpoints
        )

    def _checkpoint(self, console, append_to):
        point = audit.checkpoint()
        if point is None:
            raise CommandError("Das Prüfprotokoll ist noch leer: kein Prüfpunkt.")
        line = point.to_line()
        logger.info("audit checkpoint %s", line)
        if append_to:
            with append_to.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        console.print(line)

    def _read_checkpoints(self, path):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise CommandError(f"Prüfpunkte nicht lesbar: {path} ({error.strerror}).") from None
        try:
            return [audit.Checkpoint.from_line(line) for line in lines if line.strip()]
        except ValueError as error:
            raise CommandError(str(error)) from None

    def _verify(self, console, chunk_size, *, show_progress, checkpoints):
        total = AuditEntry.objects.count()
        if show_progress and total >= PROGRESS_THRESHOLD:
            columns = [TextColumn("Prüfe"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
            with Progress(*columns, console=Console(file=self.stderr)) as progress:
                bar = progress.add_task("verify", total=total)
                result = audit.verify(
                    lambda done: progress.update(bar, completed=done),
                    chunk_size=chunk_size,
                    checkpoints=checkpoints,
                )
        else:
            result = audit.verify(chunk_size=chunk_size, checkpoints=checkpoints)
        if result.ok:
            against = f", {len(checkpoints)} Prüfpunkte bestätigt" if checkpoints else ""
            console.print(f"Prüfprotokoll intakt: {result.checked} Einträge geprüft{against}.")
            return
        raise CommandError(
            f"Prüfprotokoll beschädigt bei Eintrag {result.first_broken_seq} ({result.action}): "
            f"{result.reason} – {result.detail} ({result.checked} Einträge davor sind intakt.)",
            returncode=1,
        )

    def _tail(self, console, count):
        entries = list(AuditEntry.objects.order_by("-seq")[: max(count, 0)])[::-1]
        table = Table("seq", "Zeit", "Akteur", "Aktion", "Ziel", "Zweck")
        for entry in entries:
            table.add_row(
                str(entry.seq),
                entry.created_at.isoformat(timespec="seconds"),
                f"{entry.actor_type}:{entry.actor_label or entry.actor_id}",
                entry.action,
                f"{entry.target_type}:{entry.target_id}" if entry.target_type else "",
                entry.purpose,
            )
        console.print(table)
