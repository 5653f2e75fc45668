"""``rathaus appointments day``: an office's day list at the command line (issue 20, finding 8).

It shows names and booking codes, so every run is recorded in the audit log with its purpose
(``services.day_list_read``), under the command line's actor."""

from __future__ import annotations

import csv
import datetime
import io
import json
from typing import Any

from django.core.management.base import CommandError
from django.utils import formats, timezone, translation
from rich.console import Console
from rich.table import Table
from rich.text import Text

from rathaus.directory.types import Office
from rathaus.domain.parse import InputError, iso_date

from .. import selectors, services
from ..day_rows import DayRow, day_rows
from ..forms import DESK_DAYS_AHEAD, DESK_DAYS_BACK
from .plan_command import CLI_ACTOR, SLUG_CHARACTERS

PURPOSE = "Terminabwicklung in der Dienststelle (Tagesliste über die Kommandozeile)"
CSV_HEADER = (
    "Datum",
    "Beginn",
    "Ende",
    "Schalter",
    "Aufrufnummer",
    "Name",
    "Leistungen",
    "Buchungscode",
    "Status",
    "Art",
)


def add_arguments(sub: Any) -> None:
    day = sub.add_parser(
        "day",
        help="Tagesliste einer Dienststelle ausgeben (protokolliert) / print an office's day list (audited)",
        description="Gibt die Termine und Wartenummern eines Tages mit Namen und Buchungscodes aus. "
        "Jeder Abruf wird mit seinem Zweck im Audit-Protokoll vermerkt. / Prints a day's "
        "appointments and walk-ins with names and booking codes; every run is recorded in the audit "
        "log with its purpose.",
    )
    day.add_argument(
        "--office", required=True, metavar="KURZNAME", help="Kurzname der Dienststelle / the office's slug"
    )
    day.add_argument("--date", metavar="JJJJ-MM-TT", help="Tag (Standard: heute) / day (default: today)")
    day.add_argument(
        "--purpose",
        metavar="ZWECK",
        default=PURPOSE,
        help=f"Zweck des Abrufs fürs Audit-Protokoll (Standard: „{PURPOSE}“) / purpose of the read",
    )
    day.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="Ausgabe: Tabelle, CSV (Semikolon) oder JSON / output: table, CSV (semicolon) or JSON",
    )


def _day(text: str | None) -> datetime.date:
    today = timezone.localdate()
    if text is None:
        return today
    try:
        return iso_date(
            text,
            earliest=today - datetime.timedelta(days=DESK_DAYS_BACK),
            latest=today + datetime.timedelta(days=DESK_DAYS_AHEAD),
            what="Der Tag (--date)",
        )
    except InputError as error:
        raise CommandError(str(error)) from None


def _office(slug: str) -> Office:
    office = selectors.planned_office(slug=slug) if slug and set(slug) <= SLUG_CHARACTERS else None
    if office is None:
        raise CommandError(f"Eine Dienststelle „{slug}“ mit Online-Terminvergabe gibt es nicht.")
    return office


def long_date(day: datetime.date) -> str:
    """ "Dienstag, 1. Dezember 2026"."""
    with translation.override("de"):
        return str(formats.date_format(day, "l, j. F Y"))


def run(stdout: Any, options: dict[str, Any]) -> None:
    office = _office(options["office"])
    day = _day(options["date"])
    purpose = (options["purpose"] or "").strip()
    if not purpose or len(purpose) > 500:
        raise CommandError("Bitte nennen Sie den Zweck des Abrufs (--purpose, höchstens 500 Zeichen).")
    rows = day_rows(services.day_list_read(office=office, day=day, by=CLI_ACTOR, purpose=purpose))
    if options["format"] == "json":
        stdout.write(json.dumps(_document(office, day, rows), ensure_ascii=False, indent=2))
    elif options["format"] == "csv":
        _csv(stdout, day, rows)
    else:
        _table(stdout, office, day, rows)


def _local(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%H:%M}" if moment else ""


def _csv(stdout: Any, day: datetime.date, rows: list[DayRow]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            (
                f"{day:%d.%m.%Y}",
                _local(row.start),
                _local(row.end),
                row.counter or "",
                row.queue_number or "",
                row.name,
                row.services_text,
                row.code,
                row.status_label,
                row.kind_label,
            )
        )
    stdout.write(buffer.getvalue(), ending="")


def _document(office: Office, day: datetime.date, rows: list[DayRow]) -> dict[str, Any]:
    return {
        "office": office.slug,
        "office_name": office.name,
        "date": day.isoformat(),
        "items": [
            {
                "id": row.id,
                "kind": row.kind,
                "status": row.status,
                "status_label": row.status_label,
                "start": row.start.isoformat() if row.start else None,
                "end": row.end.isoformat() if row.end else None,
                "counter": row.counter,
                "queue_number": row.queue_number,
                "code": row.code,
                "name": row.name,
                "services": [{"id": s.id, "leika_key": s.leika_key, "name": s.name} for s in row.services],
            }
            for row in rows
        ],
    }


def _table(stdout: Any, office: Office, day: datetime.date, rows: list[DayRow]) -> None:
    console = Console(file=stdout, highlight=False, soft_wrap=True, width=160)
    title = f"{office.name} – {long_date(day)}"
    if not rows:
        console.print(f"{title}: keine Termine.", markup=False)
        return
    table = Table(
        "Zeit", "Schalter", "Nr.", "Name", "Leistungen", "Buchungscode", "Status", title=Text(title)
    )
    for row in rows:
        cells = (
            row.time_text,
            row.counter or "–",
            row.queue_number or "–",
            row.name or "–",
            row.services_text,
            row.code,
            row.status_label,
        )
        # Text, not markup: a name with "[…]" is shown as written.
        table.add_row(*(Text(cell) for cell in cells))
    console.print(table)
    console.print(f"{len(rows)} Einträge.", markup=False)
