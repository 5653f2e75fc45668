"""``rathaus audit verify`` checks the hash chain; ``rathaus audit tail -n 20`` shows the newest entries."""

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from rathaus.kernel import audit
from rathaus.kernel.models import AuditEntry

# Show a progress bar only when the chain is long enough for it to matter.
PROGRESS_THRESHOLD = 10_000


class Command(BaseCommand):
    help = "Prüfprotokoll: Hash-Kette prüfen (verify) oder die neuesten Einträge zeigen (tail)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify,tail}")
        verify = sub.add_parser("verify", help="Die ganze Kette prüfen; Exit-Code 1 beim ersten Bruch.")
        verify.add_argument("--chunk-size", type=int, default=2000, help="Einträge je Datenbankabruf.")
        verify.add_argument("--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen.")
        tail = sub.add_parser("tail", help="Die neuesten Einträge zeigen.")
        tail.add_argument("-n", type=int, default=20, dest="count", help="Anzahl (Standard: 20).")

    def handle(self, *args, subcommand, **options):
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)
        if subcommand == "tail":
            return self._tail(console, options["count"])
        return self._verify(console, options["chunk_size"], show_progress=not options["no_progress"])

    def _verify(self, console, chunk_size, *, show_progress):
        total = AuditEntry.objects.count()
        if show_progress and total >= PROGRESS_THRESHOLD:
            columns = [TextColumn("Prüfe"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
            with Progress(*columns, console=Console(file=self.stderr)) as progress:
                bar = progress.add_task("verify", total=total)
                result = audit.verify(
                    lambda done: progress.update(bar, completed=done), chunk_size=chunk_size
                )
        else:
            result = audit.verify(chunk_size=chunk_size)
        if result.ok:
            console.print(f"Prüfprotokoll intakt: {result.checked} Einträge geprüft.")
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
