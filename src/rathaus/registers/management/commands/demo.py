"""``rathaus demo``: build the demo city (offices, staff logins, a synthetic population)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rathaus.kernel.cli import positive
from rathaus.kernel.demo import load_parts
from rathaus.registers.demo.city import build_demo_city
from rathaus.registers.demo.generator import TABLES, Batch
from rathaus.registers.demo.loader import DemoCityExists, residents_exist

_LABELS = {
    "address": "Anschriften",
    "household": "Haushalte",
    "person": "Personen (mit Verstorbenen)",
    "birthrecord": "Geburtseinträge",
    "marriagerecord": "Eheeinträge",
    "incomenotification": "Lohnsteuerbescheinigungen",
    "pensionnotification": "Rentenbezugsmitteilungen",
}


class Command(BaseCommand):
    help = (
        "Baut die Demo-Stadt: Dienststellen, Demo-Logins für Beschäftigte und eine synthetische, "
        "reproduzierbare Bevölkerung an echten Bremer Straßen (gleiche Anzahl, Seed und Stichtag "
        "ergeben dieselben Daten). Builds the demo city; deterministic for the same "
        "--residents, --seed and --reference-date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--residents",
            type=positive,
            default=settings.RATHAUS_DEMO_RESIDENTS,
            help="Anzahl lebender Einwohner (Standard: RATHAUS_DEMO_RESIDENTS, %(default)s).",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Startwert des Zufallsgenerators (%(default)s)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Nichts tun, wenn das Melderegister schon Personen enthält (für wiederholtes `make run`).",
        )
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=20_000,
            help="Einwohner je Schreibstapel (%(default)s); größer = schneller, mehr Speicher.",
        )
        parser.add_argument(
            "--reference-date",
            type=date.fromisoformat,
            default=None,
            help="Stichtag für Alter und Jahresmeldungen, JJJJ-MM-TT (Standard: 1. Januar des laufenden Jahres).",  # noqa: E501
        )
        parser.add_argument(
            "--staff-logins",
            action="store_true",
            default=None,
            help="Demo-Logins für Beschäftigte anlegen (Standard: RATHAUS_DEMO_STAFF_LOGINS).",
        )
        parser.add_argument(
            "--no-staff-logins", dest="staff_logins", action="store_false", help="Keine Demo-Logins anlegen."
        )

    def handle(self, *args: object, **options: object) -> None:
        console = Console(file=self.stdout._out, width=120)  # type: ignore[attr-defined]
        if options["if_empty"] and residents_exist():
            console.print("Das Melderegister enthält bereits Personen – die Demo-Stadt bleibt, wie sie ist.")
        else:
            self._build_city(console, options)
        self._load_parts(console, int(options["seed"]))  # type: ignore[call-overload]

    def _load_parts(self, console: Console, seed: int) -> None:
        """The other parts' demo data (``settings.RATHAUS_DEMO_PARTS``); each fills only gaps."""
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )

        def step(description: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(description, total=total)
            return lambda advance: progress.advance(task, advance)

        with progress:
            for _path, summary in load_parts(seed=seed, step=step):
                progress.console.print(summary)

    def _build_city(self, console: Console, options: dict[str, object]) -> None:
        residents = int(options["residents"])  # type: ignore[call-overload]
        reference_date = options["reference_date"] or date.today().replace(month=1, day=1)  # noqa: DTZ011
        with_staff = (
            settings.RATHAUS_DEMO_STAFF_LOGINS
            if options["staff_logins"] is None
            else bool(options["staff_logins"])
        )
        started = time.perf_counter()
        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[detail]}"),
            console=console,
            transient=False,
        )
        with progress:
            task = progress.add_task("Vorbereitung", total=residents, detail="")

            def on_phase(text: str) -> None:
                progress.update(task, description=text)

            def on_batch(batch: Batch, totals: dict[str, int]) -> None:
                detail = (
                    f"{totals['household']:,} Haushalte · {totals['marriagerecord']:,} Ehen · "
                    f"{totals['birthrecord']:,} Geburten".replace(",", ".")
                )
                progress.update(task, advance=batch.residents, detail=detail)

            try:
                result = build_demo_city(
                    residents=residents,
                    seed=int(options["seed"]),  # type: ignore[call-overload]
                    reference_date=reference_date,
                    batch_residents=int(options["batch_size"]),  # type: ignore[call-overload]
                    with_staff=with_staff,
                    progress=on_batch,
                    on_phase=on_phase,
                )
            except DemoCityExists as exc:
                raise CommandError(
                    f"{exc} Die Demo-Stadt wird nur in ein leeres Register geschrieben; "
                    "`--if-empty` überspringt sie, `rathaus flush` leert die Datenbank."
                ) from exc
        seconds = time.perf_counter() - started
        table = Table(
            title=f"Demo-Stadt: {result.residents:,} Einwohner in {seconds:.1f} s".replace(",", ".")
        )
        table.add_column("Tabelle")
        table.add_column("Zeilen", justify="right")
        for name in TABLES:
            table.add_row(_LABELS[name], f"{result.rows[name]:,}".replace(",", "."))
        table.add_row("[bold]insgesamt", f"[bold]{result.total_rows:,}".replace(",", "."))
        console.print(table)
        if not with_staff:
            console.print("Ohne Demo-Logins für Beschäftigte (mit --staff-logins anlegen).")
        console.print("Anmelden: `rathaus demo_logins`")
