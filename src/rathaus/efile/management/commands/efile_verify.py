"""``rathaus efile_verify``: re-hash every stored document version and report mismatches."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from rathaus.efile import selectors
from rathaus.efile.models import DocumentVersion


class Command(BaseCommand):
    help = (
        "Prüft jede gespeicherte Dokumentversion gegen ihre SHA-256-Prüfsumme; Exit-Code 1 bei Abweichungen. "
        "Re-hashes every stored document version; exit code 1 on any mismatch."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        total = DocumentVersion.objects.values("blob_id").distinct().count()
        with Progress(console=None, disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("Dateien prüfen", total=total)
            checked, problems = selectors.verify_document_blobs(progress=lambda n: progress.advance(task, n))
        for problem in problems:
            what = "fehlt" if problem.problem == "missing" else "Prüfsumme stimmt nicht"
            self.stderr.write(f"{problem.sha256}: {what} (Versionen {', '.join(map(str, problem.versions))})")
        if problems:
            raise CommandError(f"{len(problems)} von {checked} Dateien sind beschädigt oder fehlen.")
        self.stdout.write(self.style.SUCCESS(f"{checked} Dateien geprüft, alle unverändert."))
