"""Demo data for the E-Akte: a small city-wide file plan and many cases, bulk-inserted.

Used by ``rathaus efile_demo`` and ``benchmarks/efile.py``. Cases are written with
``bulk_create`` (one audit entry per batch instead of one per case), so 100,000 cases load
in seconds; they are not put into the search index (search is exercised per case by the
services). Deterministic for the same seed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from rathaus.accounts.selectors import staff_with_roles
from rathaus.accounts.types import User
from rathaus.directory.selectors import office_list
from rathaus.directory.types import Office
from rathaus.domain.efile.aktenzeichen import Aktenzeichen, office_code_for
from rathaus.kernel import audit

from . import services
from .models import Case, CaseFile, FilePlanEntry

# (number, title, retention years or None = inherited, archive-worthy or None = inherited/open)
DEMO_PLAN: tuple[tuple[str, str, int | None, bool | None], ...] = (
    ("10", "Organisation und Verwaltung", 10, None),
    ("10.20", "Personalangelegenheiten", 30, False),
    ("32", "Öffentliche Sicherheit und Ordnung", 10, None),
    ("32.10", "Meldewesen", 5, False),
    ("32.20", "Pass- und Ausweiswesen", 10, False),
    ("32.30", "Ausländerangelegenheiten", 10, True),
    ("34", "Personenstandswesen", 110, True),
    ("34.10", "Geburten", None, None),
    ("34.20", "Eheschließungen", None, None),
    ("50", "Soziales", 10, None),
    ("50.10", "Wohngeld", 6, False),
    ("20", "Finanzen", 10, None),
    ("20.30", "Rechnungseingang", 10, False),
)

_SUBJECTS = (
    "Anmeldung einer Wohnung",
    "Abmeldung ins Ausland",
    "Antrag auf Personalausweis",
    "Verlängerung Aufenthaltstitel",
    "Beurkundung einer Geburt",
    "Anmeldung der Eheschließung",
    "Antrag auf Wohngeld",
    "Widerspruch gegen Gebührenbescheid",
    "Auskunft aus dem Melderegister",
    "Eingangsrechnung prüfen",
)
_NAMES = (
    "Becker",
    "Meyer",
    "Kowalski",
    "Yilmaz",
    "Schröder",
    "Hoffmann",
    "Nguyen",
    "Janssen",
    "Ahlers",
    "Brandt",
)


def demo_file_plan(*, by: User | None = None) -> list[FilePlanEntry]:
    """Create the demo file plan (city-wide) where it is missing; returns the leaves."""
    entries: dict[str, FilePlanEntry] = {
        e.number: e
        for e in FilePlanEntry.objects.filter(office__isnull=True, number__in=[n for n, *_ in DEMO_PLAN])
    }
    for number, title, years, worthy in DEMO_PLAN:
        if number in entries:
            continue
        parent = entries[number.rpartition(".")[0]] if "." in number else None
        entries[number] = services.file_plan_entry_create(
            number=number,
            title=title,
            parent=parent,
            retention_years=years,
            archive_worthy=worthy,
            files_allowed=parent is not None,
            created_by=by,
        )
    return [entries[n] for n, *_ in DEMO_PLAN if "." in n]


def bulk_cases(
    *,
    office: Office,
    count: int,
    entries: list[FilePlanEntry],
    seed: int = 2026,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``count`` cases (each in its own file) for ``office``; returns how many."""
    rng = random.Random(f"{seed}-{office.pk}")  # noqa: S311 (synthetic demo data, not security)
    now = timezone.now()
    year = timezone.localtime(now).year
    serials = {
        entry.pk: CaseFile.objects.filter(office=office, file_plan_entry=entry, year=year).aggregate(
            m=Max("serial")
        )["m"]
        or 0
        for entry in entries
    }
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        with transaction.atomic():
            files = _bulk_files(office=office, size=size, entries=entries, serials=serials, rng=rng, now=now)
            _bulk_cases_in(files, rng=rng, now=now)
            audit.record(
                actor=None,
                action="efile.demo_cases_loaded",
                target=office,
                details={"count": size, "first": files[0].aktenzeichen, "last": files[-1].aktenzeichen},
            )
        done += size
        if progress:
            progress(size)
    if connection.vendor == "postgresql":
        # Fresh planner statistics: right after a bulk load autovacuum has not run yet, and
        # without them PostgreSQL picks bitmap scans that make deep inbox pages 400× slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE efile_casefile")
            cursor.execute("ANALYZE efile_case")
    return done


def _bulk_files(
    *,
    office: Office,
    size: int,
    entries: list[FilePlanEntry],
    serials: dict[int, int],
    rng: random.Random,
    now: datetime.datetime,
) -> list[CaseFile]:
    """``size`` new files of ``office`` (titled with a demo subject), inserted with their ids."""
    year = timezone.localtime(now).year
    code = office_code_for(office.pk)
    files = []
    for _ in range(size):
        entry = rng.choice(entries)
        serials[entry.pk] += 1
        subject = f"{rng.choice(_SUBJECTS)} {rng.choice(_NAMES)}"
        reference = Aktenzeichen(code, entry.number, year, serials[entry.pk])
        files.append(
            CaseFile(
                aktenzeichen=str(reference),
                office=office,
                file_plan_entry=entry,
                year=year,
                serial=reference.serial,
                title=subject,
                opened_at=now,
            )
        )
    CaseFile.objects.bulk_create(files)
    if any(f.pk is None for f in files):  # backends without RETURNING ids
        by_reference = dict(
            CaseFile.objects.filter(aktenzeichen__in=[f.aktenzeichen for f in files]).values_list(
                "aktenzeichen", "pk"
            )
        )
        for f in files:
            f.pk = by_reference[f.aktenzeichen]
    return files


_STATUSES = (Case.Status.OPEN, Case.Status.IN_PROGRESS, Case.Status.WAITING, Case.Status.CLOSED)


def _bulk_cases_in(files: list[CaseFile], *, rng: random.Random, now: datetime.datetime) -> None:
    """One case per file, with the file's title as subject and a random status."""
    cases = []
    for case_file in files:
        status = rng.choices(_STATUSES, weights=(3, 4, 1, 2))[0]
        cases.append(
            Case(
                case_file=case_file,
                office=case_file.office,
                subject=case_file.title,
                status=status,
                source="demo",
                opened_at=now,
                closed_at=now if status == Case.Status.CLOSED else None,
            )
        )
    Case.objects.bulk_create(cases)


DEMO_CASES_PER_OFFICE = 200


def load_demo(*, seed: int, step: Any) -> str:
    """Demo part of ``rathaus demo``: the file plan, a few cases on the demo staff's desks and
    ``DEMO_CASES_PER_OFFICE`` bulk cases per office; does nothing where cases already exist."""
    if Case.objects.exists():
        return "E-Akte: Vorgänge vorhanden – unverändert."
    offices = sorted(office_list(), key=lambda office: office.pk)
    if not offices:
        return "E-Akte: keine Dienststellen – übersprungen."
    entries = demo_file_plan()
    rng = random.Random(seed)  # noqa: S311 (synthetic demo data)
    on_desk = 0
    for user in staff_with_roles():
        role = user.staff_roles.select_related("office").first()
        for _ in range(3):
            services.case_create(
                office=role.office,
                subject=f"{rng.choice(_SUBJECTS)} {rng.choice(_NAMES)}",
                file_plan_entry=rng.choice(entries),
                source="demo",
                assignee=user,
                deadline=timezone.localdate() + datetime.timedelta(days=rng.randint(-3, 21)),
            )
            on_desk += 1
    first_desk_case = Case.objects.filter(source="demo", assignee__isnull=False).order_by("pk").first()
    if first_desk_case is not None:
        _demo_paperwork(first_desk_case)
    advance = step("E-Akte: Vorgänge", DEMO_CASES_PER_OFFICE * len(offices))
    for office in offices:
        bulk_cases(office=office, count=DEMO_CASES_PER_OFFICE, entries=entries, seed=seed, progress=advance)
    total = on_desk + DEMO_CASES_PER_OFFICE * len(offices)
    return f"E-Akte: {total} Vorgänge, davon {on_desk} auf den Schreibtischen der Demo-Beschäftigten."


DEMO_LETTER = (
    "Freie Hansestadt Bremen",
    "Sehr geehrte Damen und Herren,",
    "hiermit beantrage ich die Verlängerung meiner Aufenthaltserlaubnis.",
    "Die Meldebescheinigung und den Mietvertrag reiche ich nach.",
    "Mit freundlichen Grüßen",
    "Agnieszka Kowalski",
)


def _demo_paperwork(case: Case) -> None:
    """A scanned letter (OCR runs in the worker), a note and a Wiedervorlage due today on the
    first demo desk case, so the intake, search and reminders show something at once."""
    from .scan_samples import render_letter

    by = case.assignee
    services.scan_intake(
        office=case.office,
        case=case,
        content=render_letter(DEMO_LETTER),
        filename="Brief-Kowalski.png",
        by=by,
    )
    services.case_note_add(case=case, text="Antragstellerin hat telefonisch Unterlagen angekündigt.", by=by)
    Case.objects.filter(pk=case.pk).update(resubmission_on=timezone.localdate())
