"""``rathaus tax batch``: pensioner cases as JSON Lines on stdin, assessments on stdout
(format: docs/tax.md)."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandParser

from rathaus.domain.tax.batch import run_line


def batch(source: TextIO, target: TextIO) -> tuple[int, int, int]:
    """Assess every line of ``source`` into ``target``; (assessed, outside the rules, errors)."""
    counts = [0, 0, 0]
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        result = run_line(line, number)
        counts[1 if result.get("outside_rules") else 2 if "error" in result else 0] += 1
        target.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
    return counts[0], counts[1], counts[2]


class Command(BaseCommand):
    help = (
        "Einkommensteuer von Rentnerinnen und Rentnern. Income tax of pensioners: "
        "'batch' reads cases as JSON Lines on stdin and writes assessments on stdout (docs/tax.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "batch",
            help="Fälle (JSON Lines) von stdin veranlagen, Ergebnisse nach stdout / assess JSON Lines",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        assessed, outside, errors = batch(sys.stdin, sys.stdout)
        self.stderr.write(
            f"{assessed} veranlagt, {outside} für die Sachbearbeitung, {errors} fehlerhafte Zeilen"
        )
