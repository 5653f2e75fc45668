"""``rathaus efile_demo``: a demo file plan and many cases for the demo offices."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rathaus.directory.selectors import office_by_slug, office_list
from rathaus.efile.demo import bulk_cases, demo_file_plan
from rathaus.kernel.cli import positive


class Command(BaseCommand):
    help = (
        "Legt einen Demo-Aktenplan und N Vorgänge an, verteilt auf die Dienststellen (oder alle in "
        "--office). Creates a demo file plan and N cases for the demo offices."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=positive, default=1000, help="Anzahl Vorgänge (%(default)s).")
        parser.add_argument(
            "--office", default="", help="Kürzel (slug) einer Dienststelle: alle Vorgänge dorthin."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Startwert des Zufallsgenerators.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = str(options["office"])
        if slug:
            office = office_by_slug(slug=slug)
            offices = [office] if office is not None else []
        else:
            offices = sorted(office_list(), key=lambda office: office.pk)
        if not offices:
            raise CommandError(
                f"Keine Dienststelle „{slug}“."
                if slug
                else "Keine Dienststellen: bitte zuerst `rathaus demo` ausführen."
            )
        total = int(options["cases"])
        entries = demo_file_plan()
        share, rest = divmod(total, len(offices))
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        ) as progress:
            task = progress.add_task("Vorgänge", total=total)
            for index, office in enumerate(offices):
                count = share + (1 if index < rest else 0)
                if count:
                    bulk_cases(
                        office=office,
                        count=count,
                        entries=entries,
                        seed=int(options["seed"]),
                        progress=lambda n: progress.advance(task, n),
                    )
        self.stdout.write(self.style.SUCCESS(f"{total} Vorgänge in {len(offices)} Dienststellen angelegt."))
