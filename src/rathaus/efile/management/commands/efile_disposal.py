"""``rathaus efile_disposal``: closed files whose retention has ended, with the disposal decision."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from rathaus.directory.selectors import office_by_slug
from rathaus.efile import selectors

_LABELS = {"archive": "an das Staatsarchiv", "destroy": "vernichten", "evaluate": "Archiv bewertet"}


class Command(BaseCommand):
    help = (
        "Listet die geschlossenen Akten einer Dienststelle, deren Aufbewahrungsfrist abgelaufen ist "
        "(Aussonderung). Lists closed files whose retention period has ended."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("office", help="Kürzel (slug) der Dienststelle")
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Stichtag JJJJ-MM-TT (Standard: heute)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        office = office_by_slug(slug=options["office"])
        if office is None:
            raise CommandError(f"Keine Dienststelle „{options['office']}“.")
        today = options["date"] or timezone.localdate()
        due = selectors.disposal_due(office=office, today=today)
        table = Table(title=f"Aussonderung {office.name}, Stichtag {today:%d.%m.%Y}")
        for column in ("Aktenzeichen", "Titel", "Frist endete", "Entscheidung"):
            table.add_column(column)
        for case_file, status in due:
            ends = status.ends_on.strftime("%d.%m.%Y") if status.ends_on else ""
            table.add_row(case_file.aktenzeichen, case_file.title, ends, _LABELS[str(status.disposal)])
        buffer = io.StringIO()
        Console(file=buffer, width=160).print(table)
        self.stdout.write(buffer.getvalue(), ending="")
        self.stdout.write(f"{len(due)} Akten zur Aussonderung fällig.")
