"""File plan entries and files (Akten): the Aktenplan and the Aktenzeichen it hands out."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.efile.aktenzeichen import Aktenzeichen, office_code_for
from rathaus.domain.efile.fileplan import InvalidFilePlanNumber, validate_plan_number
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from ..models import Case, CaseFile, FilePlanEntry
from ..selectors import file_plan_entry_for_office


@transaction.atomic
def file_plan_entry_create(
    *,
    number: str,
    title: str,
    office: Office | None = None,
    parent: FilePlanEntry | None = None,
    retention_years: int | None = None,
    archive_worthy: bool | None = None,
    files_allowed: bool = True,
    created_by: User | None = None,
) -> FilePlanEntry:
    """Add an entry to the file plan (city-wide when ``office`` is None)."""
    try:
        validate_plan_number(number, parent=parent.number if parent else None)
    except InvalidFilePlanNumber as exc:
        raise InvalidInput(str(exc), code="file_plan_number") from exc
    if not title.strip():
        raise InvalidInput("Bitte geben Sie einen Titel für den Aktenplaneintrag an.")
    if parent is None and retention_years is None:
        raise InvalidInput("Ein Eintrag der obersten Ebene braucht eine Aufbewahrungsfrist.")
    # A number may exist once per office including the city-wide plan: Aktenzeichen are built
    # from the number, so an office entry shadowing a city-wide one would collide.
    clash = FilePlanEntry.objects.filter(number=number)
    if office is not None:
        clash = clash.filter(Q(office=office) | Q(office__isnull=True))
    if clash.exists():
        raise Conflict(f"Den Aktenplaneintrag {number} gibt es schon.", code="file_plan_number_taken")
    entry = FilePlanEntry.objects.create(
        office=office,
        parent=parent,
        number=number,
        title=title.strip(),
        retention_years=retention_years,
        archive_worthy=archive_worthy,
        files_allowed=files_allowed,
    )
    audit.record(
        actor=created_by, action="efile.file_plan_entry_created", target=entry, details={"number": number}
    )
    return entry


def file_plan_entry_ensure(
    *,
    office: Office,
    number: str,
    title: str,
    parent_number: str,
    parent_title: str,
    parent_retention_years: int = 10,
    retention_years: int | None = None,
) -> FilePlanEntry:
    """The file plan entry ``number`` that applies to ``office`` (see
    ``selectors.file_plan_entry_for_office``); where there is none, it is created city-wide
    under ``parent_number``, which is created city-wide too if missing. For apps that file
    their own cases (online applications, proactive offers, e-invoices, map extracts)."""
    entry = file_plan_entry_for_office(number=number, office=office)
    if entry is not None:
        return entry
    parent = file_plan_entry_for_office(number=parent_number, office=office)
    if parent is None:
        parent = file_plan_entry_create(
            number=parent_number,
            title=parent_title,
            retention_years=parent_retention_years,
            files_allowed=False,
        )
    return file_plan_entry_create(number=number, title=title, parent=parent, retention_years=retention_years)


@transaction.atomic
def case_file_create(
    *, office: Office, file_plan_entry: FilePlanEntry, title: str, created_by: User | None = None
) -> CaseFile:
    """Open a file under ``file_plan_entry`` with the next free Aktenzeichen for this office and year."""
    if not file_plan_entry.files_allowed:
        raise InvalidInput(
            f"Unter dem Aktenplaneintrag {file_plan_entry.number} werden keine Akten geführt; "
            "bitte wählen Sie einen untergeordneten Eintrag."
        )
    if file_plan_entry.office_id is not None and file_plan_entry.office_id != office.pk:
        raise InvalidInput("Dieser Aktenplaneintrag gehört zu einer anderen Dienststelle.")
    if not title.strip():
        raise InvalidInput("Bitte geben Sie einen Titel für die Akte an.")
    # Serialise serial allocation per plan entry (SQLite's IMMEDIATE transaction already does).
    FilePlanEntry.objects.select_for_update().filter(pk=file_plan_entry.pk).exists()
    now = timezone.now()
    year = timezone.localtime(now).year
    last = CaseFile.objects.filter(office=office, file_plan_entry=file_plan_entry, year=year).aggregate(
        m=Max("serial")
    )["m"]
    reference = Aktenzeichen(
        office_code=office_code_for(office.pk),
        plan_number=file_plan_entry.number,
        year=year,
        serial=(last or 0) + 1,
    )
    case_file = CaseFile.objects.create(
        aktenzeichen=str(reference),
        office=office,
        file_plan_entry=file_plan_entry,
        year=year,
        serial=reference.serial,
        title=title.strip()[:300],
        opened_at=now,
        created_by=created_by,
    )
    audit.record(
        actor=created_by,
        action="efile.file_created",
        target=case_file,
        details={"aktenzeichen": str(reference)},
    )
    return case_file


@transaction.atomic
def case_file_close(*, case_file: CaseFile, by: User | None) -> CaseFile:
    """Close a file (z. d. A.) once all its cases are closed; its retention starts with this year's end."""
    case_file = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if case_file.is_closed:
        raise Conflict(f"Die Akte {case_file.aktenzeichen} ist schon geschlossen.", code="file_closed")
    if case_file.cases.exclude(status=Case.Status.CLOSED).exists():
        raise Conflict(
            f"Die Akte {case_file.aktenzeichen} enthält noch offene Vorgänge; "
            "bitte schließen Sie diese zuerst.",
            code="file_has_open_cases",
        )
    case_file.closed_at = timezone.now()
    case_file.save(update_fields=["closed_at"])
    audit.record(actor=by, action="efile.file_closed", target=case_file)
    return case_file
