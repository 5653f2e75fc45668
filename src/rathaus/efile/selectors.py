"""Reads of the E-Akte. Lists are keyset-paginated on the case id (newest first), so a page
costs the same at case 100 and case 100,000 of an office."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.accounts.models import StaffRole, User
from rathaus.accounts.selectors import WORKING_ROLES, staff_offices, working_offices
from rathaus.domain.efile.aktenzeichen import InvalidAktenzeichen, parse_aktenzeichen
from rathaus.domain.efile.fileplan import effective_rules
from rathaus.domain.efile.retention import RetentionStatus, retention_status
from rathaus.kernel import audit, search
from rathaus.kernel.exceptions import NotFound

from . import search_index
from .models import Case, CaseFile, DocumentVersion, FilePlanEntry

PAGE_SIZE = 50
READ_PURPOSE = "Bearbeitung des Vorgangs"
READ_LEGAL_BASIS = "Art. 6 Abs. 1 lit. e DSGVO i. V. m. der Fachrechtsgrundlage des Vorgangs"


def case_offices(user: Any) -> QuerySet[Any]:
    """Offices whose cases ``user`` may work on."""
    return working_offices(user)


def may_work_on(user: Any, office_id: int) -> bool:
    return case_offices(user).filter(pk=office_id).exists()


def _lead_office_ids(user: Any) -> list[int]:
    """Offices in which ``user`` has the role Leitung (they see the confidential cases there)."""
    return list(
        staff_offices(user)
        .filter(staff_roles__user=user, staff_roles__role=StaffRole.Role.LEITUNG)
        .values_list("pk", flat=True)
        .distinct()
    )


def may_see_case(user: Any, case: Case) -> bool:
    """Staff of the case's office; a confidential case only its assignee and the office's Leitung."""
    if not may_work_on(user, case.office_id):
        return False
    if case.confidentiality == Case.Confidentiality.NORMAL:
        return True
    return (
        case.assignee_id is not None and case.assignee_id == user.pk
    ) or case.office_id in _lead_office_ids(user)


def visible_cases(queryset: QuerySet[Case], user: Any) -> QuerySet[Case]:
    """``queryset`` without the confidential cases ``user`` may not see."""
    return queryset.filter(
        Q(confidentiality=Case.Confidentiality.NORMAL)
        | Q(assignee=user)
        | Q(office_id__in=_lead_office_ids(user))
    )


def _denied_reason(user: Any, case: Case) -> str:
    return "other office" if not may_work_on(user, case.office_id) else "confidential"


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_before: int | None


def _page(queryset: QuerySet[Case], *, before: int | None, size: int) -> CasePage:
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    rows = list(queryset.select_related("case_file", "assignee").order_by("-id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return CasePage(cases=rows, next_before=rows[-1].pk if more and rows else None)


def office_inbox(
    *,
    office: Any,
    status: str | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
    user: Any = None,
    opened_from: datetime.date | None = None,
    opened_to: datetime.date | None = None,
    party: str = "",
) -> CasePage:
    """An office's cases, newest first; without ``status`` the ones not closed.

    With ``user``, confidential cases they may not see are left out. ``opened_from``/``opened_to``
    (inclusive, local dates) bound the opening date; ``party`` matches a part of the person's
    name or the organisation's name.
    """
    queryset = Case.objects.filter(office=office)
    queryset = queryset.filter(status=status) if status else queryset.exclude(status=Case.Status.CLOSED)
    if user is not None:
        queryset = visible_cases(queryset, user)
    if opened_from is not None:
        queryset = queryset.filter(opened_at__gte=_day_start(opened_from))
    if opened_to is not None:
        queryset = queryset.filter(opened_at__lt=_day_start(opened_to + datetime.timedelta(days=1)))
    party = party.strip()
    if party:
        queryset = queryset.filter(
            Q(organisation__name__icontains=party)
            | Q(person__family_name__icontains=party)
            | Q(person__given_names__icontains=party)
        )
    return _page(queryset, before=before, size=size)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def my_cases(
    *, user: Any, status: str | None = None, before: int | None = None, size: int = PAGE_SIZE
) -> CasePage:
    """The cases assigned to ``user``, newest first; without ``status`` the ones not closed."""
    queryset = Case.objects.filter(assignee=user)
    queryset = queryset.filter(status=status) if status else queryset.exclude(status=Case.Status.CLOSED)
    return _page(queryset, before=before, size=size)


def due_resubmissions(*, office: Any, on: datetime.date) -> QuerySet[Case]:
    """Open cases of ``office`` whose resubmission date is ``on`` or earlier, oldest date first."""
    return (
        # The literal NOT NULL lets SQLite match the partial index efile_case_office_due.
        Case.objects.filter(office=office, resubmission_on__isnull=False, resubmission_on__lte=on)
        .exclude(status=Case.Status.CLOSED)
        .select_related("case_file", "assignee")
        .order_by("resubmission_on", "id")
    )


def case_detail(*, case_id: int, user: Any, purpose: str = READ_PURPOSE) -> Case:
    """One case for staff of its office; ``NotFound`` for anyone else (and an access.denied entry).

    Reading a case about a person is audit-logged with ``purpose`` (Art. 5 Abs. 1 lit. b DSGVO).
    """
    case = (
        Case.objects.select_related("case_file", "office", "assignee", "person", "organisation")
        .filter(pk=case_id)
        .first()
    )
    if case is None or not may_see_case(user, case):
        if case is not None:
            audit.record_denied(
                actor=user, target_type="efile.case", target_id=case_id, reason=_denied_reason(user, case)
            )
        raise NotFound("Diesen Vorgang gibt es nicht oder Sie dürfen ihn nicht sehen.")
    if case.person_id is not None:
        audit.record_read(
            actor=user,
            subject=case.person,
            purpose=purpose,
            legal_basis=READ_LEGAL_BASIS,
            fields=["efile.case"],
        )
    return case


def case_documents(case: Case) -> list[tuple[Any, list[DocumentVersion]]]:
    """The case's documents, each with all its versions (oldest first)."""
    documents = list(case.documents.prefetch_related("versions__blob", "versions__created_by"))
    return [(document, list(document.versions.all())) for document in documents]


def document_version_for(*, version_id: int, user: Any) -> DocumentVersion:
    """A version for download by staff of the case's office (else ``NotFound``, audit-logged)."""
    version = DocumentVersion.objects.select_related("blob", "document__case").filter(pk=version_id).first()
    if version is None or not may_see_case(user, version.document.case):
        if version is not None:
            audit.record_denied(
                actor=user,
                target_type="efile.documentversion",
                target_id=version_id,
                reason=_denied_reason(user, version.document.case),
            )
        raise NotFound("Dieses Dokument gibt es nicht oder Sie dürfen es nicht sehen.")
    return version


def case_file_by_aktenzeichen(*, aktenzeichen: str, user: Any) -> CaseFile:
    """The file with this reference, for staff of its office; ``NotFound`` otherwise."""
    try:
        canonical = str(parse_aktenzeichen(aktenzeichen))
    except InvalidAktenzeichen as exc:
        raise NotFound(str(exc)) from exc
    case_file = CaseFile.objects.filter(aktenzeichen=canonical).first()
    if case_file is None or not may_work_on(user, case_file.office_id):
        raise NotFound(f"Eine Akte {canonical} gibt es nicht oder Sie dürfen sie nicht sehen.")
    return case_file


def case_search(*, user: Any, query: str, limit: int = 20) -> search.SearchResults:
    """Cases and documents matching ``query`` in the offices ``user`` works for."""
    return search.search(
        query,
        kinds=[search_index.CASE_KIND, search_index.DOCUMENT_KIND],
        visibility=case_search_visibility(user),
        limit=limit,
    )


def case_search_visibility(user: Any) -> list[str]:
    """The search visibility keys ``user`` holds: their offices, and each confidential case
    of those offices that is assigned to them or lies in an office they lead."""
    offices = list(case_offices(user).values_list("pk", flat=True))
    keys = [search_index.visibility_for(pk) for pk in offices]
    confidential = (
        Case.objects.filter(office_id__in=offices)
        .exclude(confidentiality=Case.Confidentiality.NORMAL)
        .filter(Q(assignee=user) | Q(office_id__in=_lead_office_ids(user)))
        .values_list("pk", "office_id")
    )
    keys += [search_index.confidential_visibility(pk, office_id) for pk, office_id in confidential]
    return keys


def office_case_staff(office: Any) -> QuerySet[Any]:
    """Active staff who may work on ``office``'s cases (for the assign form)."""
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            staff_roles__office=office,
            staff_roles__role__in=WORKING_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_history(case: Case) -> QuerySet[Any]:
    """The case's complete change history from the audit log, oldest first."""
    return audit.entries_for_target("efile.case", case.pk)


def plan_rules(entry: FilePlanEntry) -> tuple[int, bool | None]:
    """Effective (retention years, archive-worthy) of a plan entry, inherited up the hierarchy."""
    chain: list[tuple[int | None, bool | None]] = []
    node: FilePlanEntry | None = entry
    while node is not None:
        chain.append((node.retention_years, node.archive_worthy))
        node = node.parent
    rules = effective_rules(list(reversed(chain)))
    return rules.retention_years, rules.archive_worthy


def disposal_due(*, office: Any, today: datetime.date) -> list[tuple[CaseFile, RetentionStatus]]:
    """Closed files of ``office`` whose retention has ended on ``today``, with the disposal decision."""
    due = []
    rules_cache: dict[int, tuple[int, bool | None]] = {}
    files = CaseFile.objects.filter(office=office, closed_at__isnull=False).select_related("file_plan_entry")
    for case_file in files.order_by("closed_at", "id").iterator(chunk_size=2000):
        entry_id = case_file.file_plan_entry_id
        if entry_id not in rules_cache:
            rules_cache[entry_id] = plan_rules(case_file.file_plan_entry)
        years, worthy = rules_cache[entry_id]
        status = retention_status(
            closed_on=timezone.localtime(case_file.closed_at).date(),
            retention_years=years,
            archive_worthy=worthy,
            today=today,
        )
        if status.due:
            due.append((case_file, status))
    return due


@dataclass(frozen=True)
class BlobProblem:
    sha256: str
    problem: str  # "missing" or "mismatch"
    versions: list[int]


def verify_document_blobs(*, progress: Any = None) -> tuple[int, list[BlobProblem]]:
    """Re-hash every blob a document version refers to; returns (checked, problems).

    Revision safety: a stored document must still have exactly the bytes it was filed with.
    """
    import hashlib

    from rathaus.kernel import blobs

    problems: list[BlobProblem] = []
    checked = 0
    blob_ids = DocumentVersion.objects.values_list("blob_id", flat=True).distinct()
    for blob in blobs.Blob.objects.filter(pk__in=blob_ids).order_by("pk").iterator(chunk_size=500):
        digest = hashlib.sha256()
        try:
            with blobs.open_blob(blob) as handle:
                while chunk := handle.read(1024 * 1024):
                    digest.update(chunk)
            problem = "" if digest.hexdigest() == blob.sha256 else "mismatch"
        except FileNotFoundError:
            problem = "missing"
        if problem:
            versions = list(DocumentVersion.objects.filter(blob=blob).values_list("pk", flat=True))
            problems.append(BlobProblem(sha256=blob.sha256, problem=problem, versions=versions))
        checked += 1
        if progress:
            progress(1)
    return checked, problems


def resubmission_recipients(*, on: datetime.date) -> list[int]:
    """Ids of staff to remind on ``on``: assignees of due cases, and for unassigned due cases
    everyone who works on that office's cases (sorted, each once)."""
    due = Case.objects.filter(resubmission_on__lte=on).exclude(status=Case.Status.CLOSED)
    users = set(due.filter(assignee__isnull=False).values_list("assignee_id", flat=True).distinct())
    offices = due.filter(assignee__isnull=True).values_list("office_id", flat=True).distinct()
    users |= set(
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            staff_roles__office_id__in=list(offices),
            staff_roles__role__in=WORKING_ROLES,
        ).values_list("pk", flat=True)
    )
    return sorted(users)


def resubmissions_for(*, user: Any, on: datetime.date) -> list[Case]:
    """Due resubmissions ``user`` is reminded of: their own cases and the unassigned ones of
    the offices they work on, oldest date first (at most 200)."""
    offices = list(case_offices(user).values_list("pk", flat=True))
    due = Case.objects.filter(resubmission_on__lte=on).exclude(status=Case.Status.CLOSED)
    return list(
        visible_cases(due, user)
        .filter(Q(assignee=user) | Q(assignee__isnull=True, office_id__in=offices))
        .select_related("case_file", "office")
        .order_by("resubmission_on", "id")[:200]
    )


def case_notes(case: Case) -> QuerySet[Any]:
    """The case's notes, oldest first, with their authors."""
    return case.notes.select_related("created_by")
