"""The workflow subcommands of ``rathaus einvoice``: ``export-payments`` for the HKR system.

``rathaus einvoice export-payments [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--office SLUG]
[--output FILE]`` writes the payment orders not exported yet (ordered on days ``since`` to
``until``, both inclusive, Europe/Berlin) as one CSV file in the format ``RATHAUS-HKR-1``
(docs/einvoice.md) and marks them exported, so a second run does not export them again.
Without ``--output`` the file goes to standard output; messages go to standard error.

``rathaus einvoice mark-paid ORDER... [--file CSV]`` records the payments the cash office reports
back, by payment order number (``ER-<year>-<id>``, column ``anordnung_nr`` of a CSV in the export
format); each invoice moves from ``exported`` to ``paid`` and its supplier is notified. The exit
status is 1 if any order could not be marked.
"""

from __future__ import annotations

import csv
import datetime
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rathaus.directory import selectors as directory_selectors
from rathaus.domain.einvoice.hkr import parse_order_number
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import RathausError

from . import display, workflow
from .models import InboundInvoice


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"„{value}“ ist kein Datum im Format JJJJ-MM-TT (not a date YYYY-MM-DD)."
        ) from None


def add_parsers(sub: Any) -> None:
    """Add ``export-payments`` to the ``einvoice`` command's subparsers."""
    export = sub.add_parser(
        "export-payments",
        help="Angeordnete Zahlungen für das Haushalts- und Kassensystem (HKR) exportieren "
        "(export ordered payments for the budget and cash accounting system)",
    )
    export.add_argument(
        "--since", type=_day, help="angeordnet ab diesem Tag, JJJJ-MM-TT (ordered on or after this day)"
    )
    export.add_argument(
        "--until", type=_day, help="angeordnet bis einschließlich diesem Tag (ordered on or before this day)"
    )
    export.add_argument("--office", help="nur diese Dienststelle, Kurzname (only this office, by slug)")
    export.add_argument(
        "--output", type=Path, help="Zieldatei; ohne: Standardausgabe (target file; default: stdout)"
    )

    paid = sub.add_parser(
        "mark-paid",
        help="Zahlungen als geleistet eintragen, nach Anordnungsnummer (record payments reported by the "
        "cash office, by payment order number)",
    )
    paid.add_argument("orders", nargs="*", help="Anordnungsnummern ER-JJJJ-NNNNNNNN (order numbers)")
    paid.add_argument(
        "--file", type=Path, help="CSV mit Spalte anordnung_nr, ';'-getrennt (CSV with column anordnung_nr)"
    )


def handle(command: BaseCommand, options: dict[str, Any]) -> bool:
    """Run the subcommand if it is one of ours; False lets the command handle its own."""
    if options["action"] == "export-payments":
        _export(command, options)
        return True
    if options["action"] == "mark-paid":
        _mark_paid(command, options)
        return True
    return False


def _orders_from(options: dict[str, Any]) -> list[str]:
    orders = list(options["orders"])
    if options["file"]:
        try:
            with options["file"].open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle, delimiter=";")
                if "anordnung_nr" not in (reader.fieldnames or []):
                    raise CommandError(f"{options['file']}: Spalte anordnung_nr fehlt (column missing).")
                orders += [row["anordnung_nr"] for row in reader if row.get("anordnung_nr")]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
    if not orders:
        raise CommandError("Keine Anordnungsnummern angegeben (no order numbers given).")
    return orders


def _mark_paid(command: BaseCommand, options: dict[str, Any]) -> None:
    failed = 0
    for text in _orders_from(options):
        try:
            invoice = InboundInvoice.objects.filter(pk=parse_order_number(text)).first()
            if invoice is None:
                raise RathausError(f"Zur Anordnung {text} gibt es keine Rechnung.")
            workflow.invoice_mark_paid(invoice=invoice, by=None)
            command.stdout.write(f"{text}: bezahlt (paid)")
        except (ValueError, RathausError) as exc:
            failed += 1
            command.stderr.write(f"{text}: {exc}")
    if failed:
        sys.exit(1)


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _export(command: BaseCommand, options: dict[str, Any]) -> None:
    since: datetime.date | None = options["since"]
    until: datetime.date | None = options["until"]
    if since and until and until < since:
        raise CommandError("--until liegt vor --since (--until is before --since).")
    office = None
    if options["office"]:
        office = directory_selectors.office_by_slug(slug=options["office"])
        if office is None:
            raise CommandError(f"Dienststelle „{options['office']}“ gibt es nicht (no such office).")
    export = workflow.payment_export_create(
        by=None,
        since=_start_of(since),
        until=_start_of(until + datetime.timedelta(days=1)) if until else None,
        office=office,
    )
    if export is None:
        command.stderr.write("Keine neuen Zahlungsanordnungen (nothing to export).")
        return
    assert export.blob is not None
    content = blobs.read_bytes(export.blob)
    if options["output"]:
        options["output"].write_bytes(content)
        target = str(options["output"])
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        target = "stdout"
    command.stderr.write(
        f"Export Nr. {export.pk}: {export.count} {'Zahlung' if export.count == 1 else 'Zahlungen'}, "
        f"{display.money(export.total, language='de')} → {target} "
        f"(SHA-256 {export.blob.sha256})"
    )
