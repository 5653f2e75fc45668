"""``rathaus efile_import_scans DIR --office SLUG [--case AZ | --plan NUMBER]``: a scanner's
output folder into the E-Akte.

Every PDF, TIFF, PNG or JPEG directly in DIR (sorted by name; hidden files, directories and
symbolic links are skipped) becomes an incoming document: into the newest open case of the
file with Aktenzeichen AZ, or each into a new case "Posteingang: <name>" in the office's inbox
under file plan entry NUMBER. A filed scan moves to DIR/erledigt/, a refused one to
DIR/fehler/ with a "<name>.fehler.txt" beside it saying why; the batch goes on either way.
With ``--trennblatt`` a multi-page PDF or TIFF is cut at blank separator pages into one
document (and, without ``--case``, one case) per letter.
OCR follows in the background (``rathaus worker``). Exit code 1 if any file was refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from rathaus.accounts.selectors import user_by_username
from rathaus.directory.selectors import office_by_slug
from rathaus.domain.efile.aktenzeichen import InvalidAktenzeichen, parse_aktenzeichen
from rathaus.efile import services
from rathaus.efile.models import Case, CaseFile, FilePlanEntry
from rathaus.kernel.exceptions import RathausError

SCAN_SUFFIXES = {".pdf", ".tif", ".tiff", ".png", ".jpg", ".jpeg"}
DONE_DIR, FAILED_DIR = "erledigt", "fehler"


def _free_name(directory: Path, name: str) -> Path:
    """``directory/name``, or ``name`` with " (2)", " (3)" … when that exists already."""
    target = directory / name
    stem, suffix = target.stem, target.suffix
    counter = 2
    while target.exists():
        target = directory / f"{stem} ({counter}){suffix}"
        counter += 1
    return target


class Command(BaseCommand):
    help = (
        "Gescannte Dateien (PDF, TIFF, PNG, JPEG) aus einem Ordner als Eingangsdokumente in die "
        "E-Akte übernehmen; erledigte Dateien nach ./erledigt, abgelehnte nach ./fehler. "
        "Imports a scanner's output folder into the E-Akte; done files move to ./erledigt, "
        "refused ones to ./fehler (with the reason), the batch goes on."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Ordner mit den Scans / folder with the scans")
        parser.add_argument("--office", required=True, help="Dienststelle (Kurzname, slug) / office slug")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument(
            "--case",
            metavar="AKTENZEICHEN",
            help="In den neuesten offenen Vorgang dieser Akte / into the newest open case of this file",
        )
        target.add_argument(
            "--plan",
            metavar="NUMMER",
            help="Je Datei ein neuer Vorgang unter diesem Aktenplaneintrag / one new case per file",
        )
        parser.add_argument("--user", help="Benutzername für das Protokoll / username recorded as actor")
        parser.add_argument(
            "--trennblatt",
            action="store_true",
            help=(
                "Mehrseitige PDF/TIFF an leeren Seiten (Trennblättern) in einzelne Schreiben teilen / "
                "split multi-page PDF/TIFF batches at blank separator pages"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} ist kein Ordner.")
        office = office_by_slug(slug=options["office"])
        if office is None:
            raise CommandError(f"Eine Dienststelle „{options['office']}“ gibt es nicht.")
        by = None
        if options["user"]:
            # Any account, as before: the actor recorded for the import, not a login.
            by = user_by_username(options["user"], active_only=False)
            if by is None:
                raise CommandError(f"Einen Benutzer „{options['user']}“ gibt es nicht.")
        case, entry = self._target(office, options["case"], options["plan"])
        split = options["trennblatt"]
        files = sorted(
            path
            for path in directory.iterdir()
            if path.is_file()
            and not path.is_symlink()
            and not path.name.startswith(".")
            and path.suffix.lower() in SCAN_SUFFIXES
        )
        done_dir, failed_dir = directory / DONE_DIR, directory / FAILED_DIR
        filed, refused = 0, []
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, disable=not self.stdout.isatty()) as progress:
            task = progress.add_task("Scans übernehmen", total=len(files))
            for path in files:
                try:
                    documents = self._file(path, office=office, case=case, entry=entry, by=by, split=split)
                except (RathausError, OSError) as exc:
                    refused.append((path.name, str(exc)))
                    failed_dir.mkdir(exist_ok=True)
                    target = _free_name(failed_dir, path.name)
                    shutil.move(str(path), target)
                    target.with_name(target.name + ".fehler.txt").write_text(f"{exc}\n", encoding="utf-8")
                    self.stderr.write(f"abgelehnt: {path.name}: {exc}")
                else:
                    filed += 1
                    done_dir.mkdir(exist_ok=True)
                    shutil.move(str(path), _free_name(done_dir, path.name))
                    for document in documents:
                        self.stdout.write(
                            f"{path.name} → {document.case.case_file.aktenzeichen} (Dokument {document.pk})"
                        )
                progress.advance(task)
        summary = f"{filed} Scans übernommen, {len(refused)} abgelehnt."
        if refused:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    def _file(self, path: Path, *, office: Any, case: Any, entry: Any, by: Any, split: bool) -> list[Any]:
        with path.open("rb") as handle:
            return services.scan_batch_intake(
                office=office,
                case=case,
                file_plan_entry=entry,
                content=handle,
                filename=path.name,
                by=by,
                split=split,
            )

    def _target(
        self, office: Any, aktenzeichen: str | None, plan: str | None
    ) -> tuple[Case | None, FilePlanEntry | None]:
        if aktenzeichen:
            try:
                aktenzeichen = str(parse_aktenzeichen(aktenzeichen))
            except InvalidAktenzeichen as exc:
                raise CommandError(str(exc)) from exc
            case_file = CaseFile.objects.filter(aktenzeichen=aktenzeichen, office=office).first()
            if case_file is None:
                raise CommandError(f"Die Dienststelle hat keine Akte {aktenzeichen}.")
            case = case_file.cases.exclude(status=Case.Status.CLOSED).order_by("-id").first()
            if case is None:
                raise CommandError(f"Die Akte {aktenzeichen} hat keinen offenen Vorgang.")
            return case, None
        entry = (
            FilePlanEntry.objects.filter(number=plan)
            .filter(Q(office=office) | Q(office__isnull=True))
            .order_by("office_id")
            .first()
        )
        if entry is None:
            raise CommandError(f"Einen Aktenplaneintrag {plan} gibt es für diese Dienststelle nicht.")
        return None, entry
