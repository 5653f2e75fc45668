"""``rathaus efile_xdomea_import ZIP --office SLUG``: take over an xdomea package (Abgabe 0401 or
Aussonderung 0503) from another office, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.efile import selectors as efile_selectors
from rathaus.efile.archive import services
from rathaus.kernel.exceptions import RathausError

MAX_BYTES = services.MAX_PACKAGE_BYTES


class Command(BaseCommand):
    help = (
        "Übernimmt ein xdomea-3.1.0-Paket (ZIP mit Abgabe 0401 oder Aussonderung 0503) in eine Dienststelle: "
        "Akten, Vorgänge und Dokumente mit Prüfsummenkontrolle, alles oder nichts. "
        "Imports an xdomea package from another office."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", type=Path, help="ZIP-Datei des xdomea-Pakets")
        parser.add_argument("--office", required=True, help="Kürzel (slug) der übernehmenden Dienststelle")
        parser.add_argument(
            "--plan",
            default="",
            help="Aktenplannummer für Akten, deren Aktenplaneintrag es hier nicht gibt (z. B. 32.10)",
        )
        parser.add_argument("--by", default="", help="Benutzername, unter dem protokolliert wird")

    def handle(self, *args: Any, **options: Any) -> None:
        office = Office.objects.filter(slug=options["office"]).first()
        if office is None:
            raise CommandError(f"Keine Dienststelle „{options['office']}“.")
        plan_entry = None
        if options["plan"]:
            plan_entry = efile_selectors.file_plan_entry_for_office(number=options["plan"], office=office)
            if plan_entry is None:
                raise CommandError(f"Keinen Aktenplaneintrag „{options['plan']}“.")
        by = None
        if options["by"]:
            by = User.objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"Keine Benutzerin / kein Benutzer „{options['by']}“.")
        path: Path = options["package"]
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} ist größer als {MAX_BYTES // 1024**3} GB.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} kann nicht gelesen werden: {exc.strerror}") from exc
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=not self.stdout.isatty(),
        ) as progress:
            task = progress.add_task("Dokumente übernehmen", total=None)
            try:
                imported = services.package_import(
                    data=data,
                    office=office,
                    by=by,
                    plan_entry=plan_entry,
                    progress=lambda n: progress.advance(task, n),
                )
            except RathausError as exc:
                raise CommandError(f"Nichts übernommen: {exc}") from exc
        for row in imported.files.select_related("case_file"):
            target = row.case_file.aktenzeichen if row.case_file else "–"
            self.stdout.write(f"{row.source_aktenzeichen} → {target}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{imported.files.count()} Akten aus „{imported.sender}“ in {office.name} übernommen."
            )
        )
