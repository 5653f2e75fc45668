"""``rathaus appointments plan``: an office's planning from a file, or shown as one (issue 20,
finding 8). The format is ``domain.appointments.planfile``'s; docs/appointments.md describes it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from rich.console import Console

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.appointments import planfile
from rathaus.kernel.audit import Actor

from .. import selectors, services

CLI_ACTOR = Actor.system("rathaus appointments (Kommandozeile)")
# A plan file is a few kilobytes; anything this large is not one.
MAX_FILE_BYTES = 1_000_000
SLUG_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def add_arguments(sub: Any) -> None:
    plan = sub.add_parser(
        "plan",
        help="Terminplanung einer Dienststelle aus einer Datei übernehmen oder als Datei zeigen / "
        "apply an office's planning from a file, or show it as one",
        description="Übernimmt Schalter, Öffnungszeiten, Ausnahmen, Leistungen und Einstellungen aus "
        "einer TOML- oder JSON-Datei (Format in docs/appointments.md) über die Planungsdienste, "
        "protokolliert, und legt danach die Zeiteinheiten an. Nochmals angewandt ändert dieselbe "
        "Datei nichts. / Applies counters, opening hours, exceptions, services and settings from a "
        "TOML or JSON file through the planning services (audited), then creates the slots. "
        "Applying the same file again changes nothing.",
    )
    plan.add_argument(
        "--office", required=True, metavar="KURZNAME", help="Kurzname der Dienststelle / the office's slug"
    )
    what = plan.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--file",
        metavar="DATEI",
        help="Plan-Datei, '-' für die Standardeingabe / plan file, '-' for standard input",
    )
    what.add_argument(
        "--show",
        action="store_true",
        help="gespeicherten Plan im Dateiformat ausgeben / print the stored plan in the file format",
    )
    plan.add_argument(
        "--format",
        choices=("toml", "json"),
        help="Dateiformat (Standard: nach der Endung, sonst TOML) / file format (default: by "
        "extension, else TOML)",
    )
    plan.add_argument(
        "--dry-run",
        action="store_true",
        help="nur zeigen, was sich ändern würde; nichts speichern / only show what would change",
    )


def office_for(slug: str) -> Office:
    """The office with this slug, or a ``CommandError`` saying there is none."""
    office = directory_selectors.office_by_slug(slug=slug) if set(slug) <= SLUG_CHARACTERS and slug else None
    if office is None:
        raise CommandError(f"Eine Dienststelle mit dem Kurznamen „{slug}“ gibt es nicht.")
    return office


def _read(name: str) -> str:
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(name).open("rb") as handle:
                raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise CommandError(f"Die Datei „{name}“ gibt es nicht.") from None
    except PermissionError:
        raise CommandError(f"Die Datei „{name}“ darf nicht gelesen werden (keine Berechtigung).") from None
    except OSError as error:
        raise CommandError(f"Die Datei „{name}“ lässt sich nicht lesen: {error.strerror or error}.") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CommandError(f"Die Datei „{name}“ ist größer als 1 MB; das ist keine Plan-Datei.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CommandError(
            f"Die Datei „{name}“ ist nicht in UTF-8 geschrieben (Byte {error.start + 1})."
        ) from None


def _form(options: dict[str, Any]) -> str:
    if options["format"]:
        return str(options["format"])
    return "json" if str(options["file"] or "").lower().endswith(".json") else "toml"


def run(stdout: Any, options: dict[str, Any]) -> None:
    office = office_for(options["office"])
    form = _form(options)
    if options["show"]:
        current = selectors.plan_document(office)
        if current is None:
            raise CommandError(f"Für „{office.name}“ ist keine Online-Terminvergabe geplant.")
        stdout.write(planfile.to_json(current) if form == "json" else planfile.to_toml(current), ending="")
        return
    name = options["file"]
    text = _read(name)
    try:
        wanted = planfile.parse(text, form=form)
        found = services.plan_apply(office=office, wanted=wanted, by=CLI_ACTOR, dry_run=options["dry_run"])
    except planfile.PlanFileError as error:
        raise CommandError(f"{name}, {error}" if error.line or error.path else f"{name}: {error}") from None
    except services.PlanRefused as error:
        where = planfile.PlanFileError(error.message, path=error.path, line=_line(text, form, error.path))
        raise CommandError(f"{name}, {where}") from None
    _report(stdout, office, found, dry_run=options["dry_run"])


def _line(text: str, form: str, path: tuple[str | int, ...]) -> int | None:
    return planfile.locate(text, path) if form == "toml" else None


def _report(stdout: Any, office: Office, found: Any, *, dry_run: bool) -> None:
    console = Console(file=stdout, highlight=False, soft_wrap=True, width=160)
    lines = found.lines()
    heading = "Probelauf, nichts gespeichert" if dry_run else "Terminplanung übernommen"
    console.print(f"{heading}: {office.name} ({office.slug})", markup=False)
    if not found:
        console.print("Keine Änderungen: die Datei entspricht der gespeicherten Planung.", markup=False)
    for line in lines:
        console.print(f"  • {line}", markup=False)
    if dry_run:
        return
    units = services.slots_generate(office=office)
    console.print(f"{units} Zeiteinheiten geprüft (vorhandene bleiben).", markup=False)
