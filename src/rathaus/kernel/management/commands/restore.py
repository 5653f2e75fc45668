"""``rathaus restore ARCHIV``: short form of ``rathaus backup restore ARCHIV``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Eine Sicherung zurückspielen und danach Dateien und Prüfprotokoll prüfen; wie "
        "„rathaus backup restore“. (Restore a backup archive.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, metavar="ARCHIV", help="Die Archivdatei. (Archive file.)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Auch eine nicht leere Datenbank überschreiben. (Overwrite a non-empty database.)",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen. (No progress bars.)"
        )
        parser.add_argument(
            "--pg-bin",
            metavar="VERZEICHNIS",
            help="Verzeichnis mit pg_restore. (Directory of the PostgreSQL client tools.)",
        )

    def handle(self, *args: object, **options: Any) -> None:
        arguments = ["restore", str(options["archive"])]
        if options["force"]:
            arguments.append("--force")
        if options["no_progress"]:
            arguments.append("--no-progress")
        if options["pg_bin"]:
            arguments += ["--pg-bin", options["pg_bin"]]
        call_command("backup", *arguments, stdout=self.stdout, stderr=self.stderr)
