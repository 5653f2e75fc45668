"""``rathaus leistungskatalog [file]``: the service catalogue with the online forms as XML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from rathaus.eforms import katalog


class Command(BaseCommand):
    help = (
        "Leistungskatalog mit den Online-Formularen als XML ausgeben (nach XZuFi, Format in "
        "docs/eforms.md). Write the service catalogue with the online forms as XML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", default="-", help="Zieldatei, '-' für Standardausgabe / target file"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = katalog.catalogue_export()
        if options["file"] == "-":
            self.stdout.write(document.decode("utf-8"))
            return
        Path(options["file"]).write_bytes(document)
        services = document.count(b"<leistung>")
        online = document.count(b"<onlinedienst>")
        self.stderr.write(f"{services} Leistungen, davon {online} online → {options['file']}")
