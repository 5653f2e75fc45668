"""``rathaus backup create`` writes database and blobs into one archive; ``rathaus backup verify``
checks an archive; ``rathaus backup restore`` puts it back and checks blobs and audit chain;
``rathaus backup check`` runs those checks on the installation as it is."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rathaus.kernel import backup

STEP_LABELS = {
    "database": "Datenbank",
    "blobs": "Dateien",
    "verify": "Prüfe Sicherung",
    "check": "Prüfe Dateien",
}


class _Bars:
    """Rich progress bars, one per step, on stderr (or nothing with --no-progress)."""

    def __init__(self, console: Console | None) -> None:
        self.progress = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console,
            )
            if console
            else None
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> _Bars:
        if self.progress:
            self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress:
            self.progress.__exit__(*exc)

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self.progress:
            return
        if step not in self.tasks:
            self.tasks[step] = self.progress.add_task(STEP_LABELS.get(step, step), total=max(total, 1))
        self.progress.update(self.tasks[step], completed=done if total else 1, total=max(total, 1))


def _default_name() -> Path:
    return Path(f"rathaus-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar")


class Command(BaseCommand):
    help = (
        "Sicherung: Datenbank und Dateien in ein Archiv schreiben (create), ein Archiv prüfen (verify), "
        "zurückspielen (restore) oder die Installation prüfen (check). "
        "(Backup and restore of database and blobs.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{create,verify,restore,check}")
        create = sub.add_parser(
            "create",
            help="Datenbank (konsistenter Schnappschuss) und alle Dateien sichern. "
            "(Create a backup archive.)",
        )
        create.add_argument(
            "-o",
            "--output",
            type=Path,
            metavar="DATEI",
            help="Archivdatei (Standard: rathaus-backup-<Zeit>.tar im aktuellen Verzeichnis). "
            "(Archive file.)",
        )
        verify = sub.add_parser(
            "verify",
            help="Ein Archiv prüfen, ohne etwas zurückzuspielen: Inhaltsverzeichnis und Prüfsummen. "
            "(Check an archive.)",
        )
        verify.add_argument("archive", type=Path, metavar="ARCHIV", help="Die Archivdatei. (Archive file.)")
        restore = sub.add_parser(
            "restore",
            help="Ein Archiv zurückspielen und danach Dateien und Prüfprotokoll prüfen. "
            "(Restore an archive.)",
        )
        restore.add_argument("archive", type=Path, metavar="ARCHIV", help="Die Archivdatei. (Archive file.)")
        restore.add_argument(
            "--force",
            action="store_true",
            help="Auch eine nicht leere Datenbank überschreiben. (Overwrite a non-empty database.)",
        )
        sub.add_parser(
            "check",
            help="Die Installation prüfen: jede Datei vorhanden und unverändert, Prüfprotokoll intakt. "
            "(Check blobs and audit chain.)",
        )
        for command in (create, verify, restore, sub.choices["check"]):
            command.add_argument(
                "--no-progress",
                action="store_true",
                help="Keinen Fortschrittsbalken zeigen. (No progress bars.)",
            )
        for command in (create, restore):
            command.add_argument(
                "--pg-bin",
                metavar="VERZEICHNIS",
                help="Verzeichnis mit pg_dump/pg_restore (Standard: passend zur Serverversion gesucht). "
                "(Directory of the PostgreSQL client tools.)",
            )

    def handle(self, *args: object, subcommand: str, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)  # type: ignore[arg-type]
        bars = _Bars(None if options["no_progress"] else Console(file=self.stderr))  # type: ignore[arg-type]
        try:
            with bars:
                if subcommand == "create":
                    self._create(console, bars, options)
                elif subcommand == "verify":
                    manifest = backup.verify_archive(options["archive"], progress=bars)
                    console.print(
                        f"Sicherung in Ordnung: {_describe(manifest)}; alle {len(manifest.members)} "
                        "Prüfsummen stimmen."
                    )
                elif subcommand == "restore":
                    manifest, report = backup.restore_archive(
                        options["archive"], force=options["force"], progress=bars, pg_bin=options["pg_bin"]
                    )
                    console.print(f"Zurückgespielt: {_describe(manifest)}.")
                    self._report(console, report)
                else:
                    self._report(console, backup.check_installation(progress=bars))
        except backup.BackupError as error:
            raise CommandError(str(error), returncode=1) from None

    def _create(self, console: Console, bars: _Bars, options: dict[str, Any]) -> None:
        target = options["output"] or _default_name()
        manifest = backup.create_archive(target, progress=bars, pg_bin=options["pg_bin"])
        console.print(f"Sicherung geschrieben: {target} – {_describe(manifest)}.")
        console.print("Das Archiv enthält personenbezogene Daten: verschlüsselt und getrennt aufbewahren.")

    def _report(self, console: Console, report: backup.CheckReport) -> None:
        console.print(
            f"Geprüft: {_count(report.blobs_checked, 'Datei', 'Dateien')}, "
            f"{_count(report.audit_entries, 'Eintrag', 'Einträge')} im Prüfprotokoll."
        )
        if report.ok:
            console.print("Alles in Ordnung: jede Datei vorhanden und unverändert, Prüfprotokoll intakt.")
            return
        for problem in report.problems[:50]:
            console.print(f"Problem: {problem}")
        if len(report.problems) > 50:
            console.print(f"… und {len(report.problems) - 50} weitere Probleme.")
        raise CommandError(f"{_count(len(report.problems), 'Problem', 'Probleme')} gefunden.", returncode=1)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _describe(manifest: backup.Manifest) -> str:
    vendor = "SQLite" if manifest.vendor == "sqlite" else "PostgreSQL"
    return (
        f"{vendor}, {_count(manifest.blob_count, 'Datei', 'Dateien')}, "
        f"{_count(len(manifest.migrations), 'Migration', 'Migrationen')}, "
        f"erstellt {manifest.created_at} mit Rathaus {manifest.rathaus_version}"
    )
