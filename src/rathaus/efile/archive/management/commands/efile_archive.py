"""``rathaus efile_archive``: Aussonderung to the state archive with xdomea 3.1.0.

Subcommands: ``offer`` (0501), ``import-evaluation`` (0502), ``transfer`` (0503 ZIP),
``import-receipt`` (0506), ``delete``, ``list`` and ``export`` (write a stored message or the
package to a file). A process is named by its number or its ProzessID.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.efile.archive import selectors, services
from rathaus.efile.archive.models import Disposal
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import RathausError

_FILES = {"offer": "offer_message", "evaluation": "evaluation_message", "package": "transfer_package",
          "receipt": "receipt_message"}  # fmt: skip


class Command(BaseCommand):
    help = (
        "Aussonderung an das Staatsarchiv mit xdomea 3.1.0: anbieten (0501), Bewertung einlesen (0502), "
        "Paket übergeben (0503), Bestätigung einlesen (0506), löschen. "
        "Hands closed files over to the state archive with xdomea 3.1.0."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="AKTION")
        offer = sub.add_parser(
            "offer", help="Fällige Akten einer Dienststelle anbieten (0501). Offer the files due (0501)."
        )
        offer.add_argument("office", help="Kürzel (slug) der Dienststelle")
        offer.add_argument("--archive", default="landesarchiv", help="Kürzel des Archivs (%(default)s)")
        offer.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="Stichtag JJJJ-MM-TT (Standard: heute)",
        )
        evaluation = sub.add_parser(
            "import-evaluation",
            help="Bewertungsverzeichnis des Archivs einlesen (0502). Import the evaluation.",
        )
        evaluation.add_argument("disposal", help="Nummer oder ProzessID der Aussonderung")
        evaluation.add_argument("file", type=Path, help="XML-Datei (0502)")
        transfer = sub.add_parser(
            "transfer", help="Aussonderungspaket (0503, ZIP) erstellen. Write the transfer package."
        )
        transfer.add_argument("disposal", help="Nummer oder ProzessID der Aussonderung")
        transfer.add_argument(
            "--out", type=Path, default=None, help="Paket zusätzlich in dieses Verzeichnis schreiben"
        )
        receipt = sub.add_parser(
            "import-receipt",
            help="Importbestätigung des Archivs einlesen (0506). Import the archive's receipt.",
        )
        receipt.add_argument("disposal", help="Nummer oder ProzessID der Aussonderung")
        receipt.add_argument("file", type=Path, help="XML-Datei (0506)")
        delete = sub.add_parser(
            "delete", help="Abgelehnte und bestätigte Akten löschen. Delete declined and confirmed files."
        )
        delete.add_argument("disposal", help="Nummer oder ProzessID der Aussonderung")
        sub.add_parser("list", help="Aussonderungen und ihr Stand. List processes and their state.")
        export = sub.add_parser("export", help="Gespeicherte Nachricht oder Paket in eine Datei schreiben.")
        export.add_argument("disposal", help="Nummer oder ProzessID der Aussonderung")
        export.add_argument("what", choices=sorted(_FILES), help="welche Datei")
        export.add_argument("--out", type=Path, default=Path("."), help="Zielverzeichnis (%(default)s)")
        for sub_parser in (offer, evaluation, transfer, receipt, delete):
            sub_parser.add_argument("--by", default="", help="Benutzername, unter dem protokolliert wird")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"].replace("-", "_")
        try:
            getattr(self, f"_{action}")(options)
        except RathausError as exc:
            raise CommandError(str(exc)) from exc

    @contextmanager
    def _progress(self, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            disable=not self.stdout.isatty(),
        ) as progress:
            task = progress.add_task(description, total=total)
            yield lambda n: progress.advance(task, n)

    def _by(self, options: dict[str, Any]) -> Any:
        if not options.get("by"):
            return None
        user = User.objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"Keine Benutzerin / kein Benutzer „{options['by']}“.")
        return user

    def _disposal(self, options: dict[str, Any]) -> Disposal:
        return selectors.disposal_by_reference(str(options["disposal"]))

    def _read(self, path: Path) -> bytes:
        try:
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path} kann nicht gelesen werden: {exc.strerror}") from exc

    def _offer(self, options: dict[str, Any]) -> None:
        office = Office.objects.filter(slug=options["office"]).first()
        archive = Office.objects.filter(slug=options["archive"]).first()
        if office is None or archive is None:
            raise CommandError(
                f"Keine Dienststelle „{options['office'] if office is None else options['archive']}“."
            )
        today = options["date"] or timezone.localdate()
        with self._progress("Akten beschreiben", total=None) as advance:
            disposal = services.disposal_offer(
                office=office, archive=archive, today=today, by=self._by(options), progress=advance
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Aussonderung {disposal.pk} (ProzessID {disposal.process_id}): "
                f"{disposal.items.count()} Akten an {archive.name} angeboten."
            )
        )

    def _import_evaluation(self, options: dict[str, Any]) -> None:
        disposal = services.disposal_evaluation_import(
            disposal=self._disposal(options), xml=self._read(options["file"]), by=self._by(options)
        )
        kept = disposal.items.filter(decision="A").count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Bewertung eingelesen: {kept} Akten übernimmt das Archiv, "
                f"{disposal.items.count() - kept} sind zu vernichten."
            )
        )

    def _transfer(self, options: dict[str, Any]) -> None:
        disposal = self._disposal(options)
        with self._progress("Dokumente verpacken", total=None) as advance:
            disposal = services.disposal_transfer(disposal=disposal, by=self._by(options), progress=advance)
        package = disposal.transfer_package
        assert package is not None  # the service stored it or raised
        self.stdout.write(
            self.style.SUCCESS(
                f"Paket {package.filename} ({package.size} Bytes, SHA-256 {package.sha256}) erstellt."
            )
        )
        if options["out"]:
            self._write(package, options["out"])

    def _import_receipt(self, options: dict[str, Any]) -> None:
        disposal = services.disposal_receipt_import(
            disposal=self._disposal(options), xml=self._read(options["file"]), by=self._by(options)
        )
        self.stdout.write(
            self.style.SUCCESS(f"Bestätigung eingelesen; Stand: {disposal.get_state_display()}.")
        )

    def _delete(self, options: dict[str, Any]) -> None:
        count = services.disposal_delete(disposal=self._disposal(options), by=self._by(options))
        self.stdout.write(self.style.SUCCESS(f"{count} Akten gelöscht (im Protokoll vermerkt)."))

    def _list(self, options: dict[str, Any]) -> None:
        table = Table(title="Aussonderungen")
        for column in ("Nr.", "ProzessID", "Dienststelle", "Archiv", "Stichtag", "Akten", "Stand"):
            table.add_column(column)
        for disposal in Disposal.objects.select_related("office", "archive"):
            table.add_row(
                str(disposal.pk),
                str(disposal.process_id),
                disposal.office.name,
                disposal.archive.name,
                f"{disposal.reference_date:%d.%m.%Y}",
                str(disposal.items.count()),
                str(disposal.get_state_display()),
            )
        buffer = io.StringIO()
        Console(file=buffer, width=160).print(table)
        self.stdout.write(buffer.getvalue(), ending="")

    def _export(self, options: dict[str, Any]) -> None:
        blob = getattr(self._disposal(options), _FILES[options["what"]])
        if blob is None:
            raise CommandError("Diese Datei gibt es für diese Aussonderung (noch) nicht.")
        self._write(blob, options["out"])

    def _write(self, blob: Any, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / blobs.safe_filename(blob.filename)
        target.write_bytes(blobs.read_bytes(blob))
        self.stdout.write(str(target))
