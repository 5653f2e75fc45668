"""``rathaus blobs status`` counts the stored files by encryption key; ``rathaus blobs rekey``
seals every file again under the current key after a key rotation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rathaus.kernel import blobs


class Command(BaseCommand):
    help = (
        "Gespeicherte Dateien: Verschlüsselungsstand zeigen (status) oder nach einem Schlüsselwechsel "
        "alle Dateien mit dem aktuellen Schlüssel neu verschlüsseln (rekey). "
        "(Encryption at rest of stored files: status and re-encryption.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{status,rekey}")
        sub.add_parser(
            "status",
            help="Wie viele Dateien mit dem aktuellen, einem alten oder ohne Schlüssel gespeichert sind. "
            "(Count files by key.)",
        )
        rekey = sub.add_parser(
            "rekey",
            help="Jede Datei, die nicht mit dem aktuellen Schlüssel (BLOB_ENCRYPTION_KEY) verschlüsselt ist, "
            "neu verschlüsseln; danach können alte Schlüssel aus BLOB_ENCRYPTION_OLD_KEYS entfernt werden. "
            "(Re-encrypt under the current key.)",
        )
        rekey.add_argument(
            "--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen. (No progress bar.)"
        )

    def handle(self, *args: object, subcommand: str, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)  # type: ignore[arg-type]
        if subcommand == "status":
            self._status(console)
            return
        if options["no_progress"]:
            rewritten = blobs.rekey()
        else:
            bar_console = Console(file=self.stderr)  # type: ignore[arg-type]
            columns = (TextColumn("Verschlüssele"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=bar_console) as progress:
                task = progress.add_task("rekey", total=None)
                rewritten = blobs.rekey(
                    progress=lambda done, total: progress.update(task, completed=done, total=max(total, 1))
                )
        console.print(f"{rewritten} {'Datei' if rewritten == 1 else 'Dateien'} neu verschlüsselt.")
        self._status(console)

    def _status(self, console: Console) -> None:
        counts = blobs.encryption_status()
        console.print(
            f"Aktueller Schlüssel: {counts['current']} · alter Schlüssel: {counts['old']} · "
            f"unverschlüsselt: {counts['plain']} · fehlend: {counts['missing']}"
        )
        if counts["old"] or counts["plain"]:
            console.print("Bitte `rathaus blobs rekey` ausführen.")
