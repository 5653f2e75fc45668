"""``rathaus einvoice validate FILE... [--format json]``: check e-invoices against the official rules.

With ``--format json`` one JSON object per file and line:
``{"file": ..., "valid": true|false, "syntax": "UBL"|"CII"|null, "rules": [...], "warnings": [...]}``
where ``rules`` are the IDs of the rejecting findings. The exit status is 1 if any file is invalid.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rathaus.domain.einvoice import ValidationReport, rule_set, validate_files
from rathaus.einvoice import intake_cli, workflow_cli


class Command(BaseCommand):
    help = "E-Rechnungen (XRechnung 3.0, UBL/CII) nach den offiziellen KoSIT-Regeln prüfen."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Dateien prüfen")
        validate.add_argument("files", nargs="+", type=Path)
        validate.add_argument("--format", choices=["text", "json"], default="text")
        validate.add_argument(
            "--jobs", type=int, default=0, help="Prozesse (Standard: alle Kerne ab 50 Dateien, sonst 1)"
        )
        intake_cli.add_parsers(sub)
        workflow_cli.add_parsers(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        if intake_cli.handle(self, options):
            return
        if workflow_cli.handle(self, options):
            return
        standards_dir = Path(settings.EINVOICE_STANDARDS_DIR)
        try:
            rule_set(standards_dir)
        except FileNotFoundError as exc:
            raise CommandError(f"{exc} (Einstellung EINVOICE_STANDARDS_DIR)") from exc
        files: list[Path] = options["files"]
        # Large batches use every core (one Saxon per process); a few files are faster in-process.
        jobs = options["jobs"] or (None if len(files) >= 50 else 1)
        invalid = 0
        for path, report in zip(
            files, validate_files(files, standards_dir=standards_dir, jobs=jobs), strict=True
        ):
            invalid += not report.accepted
            self._print(path, report, options["format"])
        if invalid:
            sys.exit(1)

    def _print(self, path: Path, report: ValidationReport, fmt: str) -> None:
        if fmt == "json":
            line = {
                "file": str(path),
                "valid": report.accepted,
                "syntax": report.syntax,
                "rules": report.error_rule_ids,
                "warnings": sorted({f.rule_id for f in report.warnings}),
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
            return
        verdict = "angenommen" if report.accepted else "abgelehnt"
        self.stdout.write(f"{path}: {verdict} ({report.syntax or '-'}, {report.scenario or 'kein Szenario'})")
        for finding in report.findings:
            self.stdout.write(f"  [{finding.severity}] {finding.rule_id}: {finding.message}")
