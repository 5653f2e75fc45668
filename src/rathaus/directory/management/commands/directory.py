"""``rathaus directory export|import|load-repository|reindex``: the service catalogue as JSON.

The format ``rathaus.directory/1`` is described in docs/portal.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import Progress

from rathaus.directory import services
from rathaus.kernel import search


class Command(BaseCommand):
    help = (
        "Verzeichnis der Dienststellen, Leistungen und Lebenslagen als JSON exportieren und importieren. "
        "Export and import offices, services and life situations as JSON (format rathaus.directory/1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Als JSON ausgeben / write as JSON")
        export.add_argument(
            "file", nargs="?", default="-", help="Zieldatei, '-' für Standardausgabe / target file"
        )
        export.add_argument(
            "--published", action="store_true", help="nur Veröffentlichtes / only published entries"
        )
        imp = sub.add_parser("import", help="JSON einlesen / read JSON")
        imp.add_argument("file", help="Quelldatei, '-' für Standardeingabe / source file")
        imp.add_argument(
            "--publish",
            action="store_true",
            help="neue Einträge sofort veröffentlichen (nur geprüfte Daten) / publish new entries at once",
        )
        sub.add_parser(
            "load-repository",
            help="geprüfte Datendateien des Repositorys laden / load the reviewed repository data",
        )
        sub.add_parser("reindex", help="Suchindex aller Quellen neu aufbauen / rebuild the search index")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            document = services.catalogue_export(only_published=options["published"])
            text = json.dumps(document, ensure_ascii=False, indent=1, default=str)
            if options["file"] == "-":
                self.stdout.write(text)
            else:
                Path(options["file"]).write_text(text + "\n", encoding="utf-8")
                self.stderr.write(
                    f"{len(document['services'])} Leistungen, {len(document['offices'])} Dienststellen, "
                    f"{len(document['life_situations'])} Lebenslagen → {options['file']}"
                )
            return
        if action == "reindex":
            with Progress(transient=True) as progress:
                task = progress.add_task("Suchindex", total=len(search.sources()))
                count = search.reindex(progress=lambda kind, n: progress.advance(task))
            self.stdout.write(f"{count} Einträge neu indiziert.")
            return
        if action == "load-repository":
            document, publish = services.catalogue_load_files(), True
        else:
            try:
                raw = sys.stdin.read() if options["file"] == "-" else Path(options["file"]).read_text("utf-8")
                document = json.loads(raw)
            except (OSError, ValueError) as exc:
                raise CommandError(f"Datei nicht lesbar: {exc}") from exc
            publish = options["publish"]
        total = sum(len(document.get(k, []) or []) for k in ("offices", "services", "life_situations"))
        with Progress(transient=True) as progress:
            task = progress.add_task("Import", total=total)
            try:
                report = services.catalogue_import(
                    document=document,
                    by="rathaus directory",
                    publish=publish,
                    progress=lambda section, n: progress.advance(task, n),
                )
            except services.CatalogueFormatError as exc:
                raise CommandError(f"Nichts importiert – {exc}") from exc
        self.stdout.write(f"Importiert: {report.summary()}")
