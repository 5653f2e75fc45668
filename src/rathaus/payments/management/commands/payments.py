"""``rathaus payments import-camt FILE...`` imports bank statements; ``rathaus payments
hkr-export`` writes the CSV for the budget and cash accounting system; ``rathaus payments
verify`` checks the books against the bank and the claims."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rathaus.kernel.exceptions import RathausError

from ... import camt, reconcile


class Command(BaseCommand):
    help = (
        "E-Payment: Kontoauszüge (camt.053/camt.054) einlesen und abgleichen, HKR-Export. "
        "(E-Payment: import and reconcile bank statements, export for the HKR system.)"
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{import-camt,hkr-export,verify}"
        )
        imp = sub.add_parser(
            "import-camt",
            help="Kontoauszüge einlesen und abgleichen (import camt files, match credits).",
        )
        imp.add_argument(
            "files", nargs="+", metavar="FILE", help="camt.053- oder camt.054-XML-Dateien (XML files)."
        )
        imp.add_argument(
            "--validate",
            action="store_true",
            help="Vorher gegen das offizielle XSD prüfen (validate against the XSD first).",
        )
        imp.add_argument(
            "--no-progress", action="store_true", help="Keinen Fortschrittsbalken zeigen (no progress bar)."
        )
        hkr = sub.add_parser(
            "hkr-export", help="Gebuchte Zahlungen als CSV ausgeben (booked payments as CSV)."
        )
        hkr.add_argument("--von", required=True, help="Erster Tag, JJJJ-MM-TT (first day).")
        hkr.add_argument("--bis", required=True, help="Letzter Tag, JJJJ-MM-TT (last day).")
        hkr.add_argument("--output", "-o", help="Datei statt Standardausgabe (file instead of stdout).")
        sub.add_parser(
            "verify",
            help="Hauptbuch prüfen: Buchungen ausgeglichen, Bankkonto = Eingänge laut Kontoauszug, "
            "Forderungen = offene Beträge; Exit-Code 1 bei Abweichung "
            "(check the ledger against bank and claims).",
        )

    def handle(self, *args, subcommand, **options):
        console = Console(file=self.stdout, highlight=False, soft_wrap=True)
        if subcommand == "verify":
            problems = reconcile.verify()
            if problems:
                raise CommandError("\n".join(["Hauptbuch stimmt nicht:", *problems]), returncode=1)
            console.print("Hauptbuch stimmt: Buchungen ausgeglichen, Bankkonto und Forderungen passen.")
            return
        if subcommand == "hkr-export":
            self._hkr_export(options)
            return
        failed = sum(not self._import(name, options, console) for name in options["files"])
        if failed:
            total = len(options["files"])
            # The verb agrees with the failed files, the noun with all files: "1 von 3 Dateien wurde".
            message = (
                ngettext(
                    "%(failed)s von %(total)s Dateien wurde nicht eingelesen.",
                    "%(failed)s von %(total)s Dateien wurden nicht eingelesen.",
                    failed,
                )
                if total > 1
                else gettext("Die Datei wurde nicht eingelesen.")
            )
            raise CommandError(message % {"failed": failed, "total": total}, returncode=1)

    def _hkr_export(self, options):
        try:
            text = reconcile.hkr_export(
                start=datetime.date.fromisoformat(options["von"]),
                end=datetime.date.fromisoformat(options["bis"]),
            )
        except (ValueError, RathausError) as exc:
            raise CommandError(str(exc)) from exc
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def _import(self, name, options, console) -> bool:
        """Import the file ``name``; says how it went and returns whether it was read."""
        path = Path(name)
        try:
            data = path.read_bytes()
            if options["validate"]:
                errors = camt.validate(data)
                if errors:
                    raise CommandError(
                        f"{name}: {len(errors)} Schemafehler, z. B. Zeile {errors[0].line}: "
                        f"{errors[0].message}"
                    )
            result = self._read(data, path.name, show_progress=not options["no_progress"])
        except OSError as exc:
            console.print(f"[red]{name}: Datei nicht lesbar: {exc.strerror}[/red]")
            return False
        except RathausError as exc:
            console.print(f"[red]{name}: {exc.message}[/red]")
            return False
        credits = ngettext("%(n)s Gutschrift", "%(n)s Gutschriften", result.credits) % {"n": result.credits}
        console.print(
            f"{name}: {credits}, {result.matched} zugeordnet, "
            f"{result.unmatched} zur manuellen Zuordnung, {result.duplicates} schon gebucht."
        )
        if result.resumed:
            console.print(
                gettext("%(name)s: Ein unterbrochenes Einlesen dieser Datei wurde fortgesetzt.")
                % {"name": name}
            )
        return True

    def _read(self, data, filename, *, show_progress):
        if not show_progress:
            return reconcile.import_camt(data=data, filename=filename)
        columns = [TextColumn(filename), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        with Progress(*columns, console=Console(file=self.stderr)) as progress:
            bar = progress.add_task("import", total=None)
            return reconcile.import_camt(
                data=data,
                filename=filename,
                progress=lambda done, total: progress.update(bar, completed=done, total=total),
            )
