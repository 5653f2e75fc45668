"""Reads of the E-Akte. Lists are keyset-paginated on the case id (newest first), so a page
costs the same at case 100 and case 100,000 of an office."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from rathaus.accounts.selectors import full_names, offices_with_role, working_offices, working_staff
from rathaus.accounts.types import StaffRole, User
from rathaus.directory.types import Office
from rathaus.domain.efile.aktenzeichen import InvalidAktenzeichen, parse_aktenzeichen
from rathaus.domain.efile.fileplan import effective_rules
from rathaus.domain.efile.retention import RetentionStatus, retention_status
from rathaus.kernel import audit, search
from rathaus.kernel.exceptions import NotFound

from . import search_index
from .models import Case, CaseFile, CaseNote, Document, DocumentVersion, FilePlanEntry

PAGE_SIZE = 50
READ_PURPOSE = "Bearbeitung des Vorgangs"
READ_LEGAL_BASIS = "Art. 6 Abs. 1 lit. e DSGVO i. V. m. der Fachrechtsgrundlage des Vorgangs"


def case_offices(user: User) -> QuerySet[Office]:
    """Offices whose cases ``user`` may work on."""
    return working_offices(user)


def may_work_on(user: User, office_id: int) -> bool:
    return case_offices(user).filter(pk=office_id).exists()


def _lead_office_ids(user: User) -> list[int]:
    """Offices in which ``user`` has the role Leitung (they see the confidential cases there)."""
    return list(offices_with_role(user, StaffRole.Role.LEITUNG).values_list("pk", flat=True).distinct())


def may_see_case(user: User, case: Case) -> bool:
    """Staff of the case's office; a confidential case only its assignee and the office's Leitung."""
    if not may_work_on(user, case.office_id):
        return False
    if case.confidentiality == Case.Confidentiality.NORMAL:
        return True
    return (
        case.assignee_id is not None and case.assignee_id == user.pk
    ) or case.office_id in _lead_office_ids(user)


def visible_cases(queryset: QuerySet[Case], user: User) -> QuerySet[Case]:
    """``queryset`` without the confidential cases ``user`` may not see."""
    return queryset.filter(
        Q(confidentiality=Case.Confidentiality.NORMAL)
        | Q(assignee=user)
        | Q(office_id__in=_lead_office_ids(user))
    )


def _denied_reason(user: User, case: Case) -> str:
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
    office: Office,
    status: str | None = None,
    before: int | None = None,
    size: int = PAGE_SIZE,
    user: User | None = None,
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
    *, user: User, status: str | None = None, before: int | None = None, size: int = PAGE_SIZE
) -> CasePage:
    """The cases assigned to ``user``, newest first; without ``status`` the ones not closed."""
    queryset = Case.objects.filter(assignee=user)
    queryset = queryset.filter(status=status) if status else queryset.exclude(status=Case.Status.CLOSED)
    return _page(queryset, before=before, size=size)


def cases_about_person(*, person_id: int) -> QuerySet[Case]:
    """Every case about the person, newest first: their own Art. 15 DSGVO copy (not audited)."""
    return Case.objects.filter(person_id=person_id).select_related("office", "case_file").order_by("-id")


def due_resubmissions(*, office: Office, on: datetime.date) -> QuerySet[Case]:
    """Open cases of ``office`` whose resubmission date is ``on`` or earlier, oldest date first."""
    return (
        # The literal NOT NULL lets SQLite match the partial index efile_case_office_due.
        Case.objects.filter(office=office, resubmission_on__isnull=False, resubmission_on__lte=on)
        .exclude(status=Case.Status.CLOSED)
        .select_related("case_file", "assignee")
        .order_by("resubmission_on", "id")
    )


def case_detail(*, case_id: int, user: User, purpose: str = READ_PURPOSE) -> Case:
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


def case_documents(case: Case) -> list[tuple[Document, list[DocumentVersion]]]:
    """The case's documents, each with all its versions (oldest first)."""
    documents = list(case.documents.prefetch_related("versions__blob", "versions__created_by"))
    return [(document, list(document.versions.all())) for document in documents]


def document_version_for(*, version_id: int, user: User) -> DocumentVersion:
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


def case_file_by_aktenzeichen(*, aktenzeichen: str, user: User) -> CaseFile:
    """The file with this reference, for staff of its office; ``NotFound`` otherwise."""
    try:
        canonical = str(parse_aktenzeichen(aktenzeichen))
    except InvalidAktenzeichen as exc:
        raise NotFound(str(exc)) from exc
    case_file = CaseFile.objects.filter(aktenzeichen=canonical).first()
    if case_file is None or not may_work_on(user, case_file.office_id):
        raise NotFound(f"Eine Akte {canonical} gibt es nicht oder Sie dürfen sie nicht sehen.")
    return case_file


def case_search(*, user: User, query: str, limit: int = 20, offset: int = 0) -> search.SearchResults:
    """Cases and documents matching ``query`` in the offices ``user`` works for (confidential
    ones only for their assignee and the office's Leitung); the web search and the API use it."""
    return search.search(
        query,
        kinds=[search_index.CASE_KIND, search_index.DOCUMENT_KIND],
        visibility=case_search_visibility(user),
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True)
class CaseSearchHit:
    """A search hit with the case it belongs to (for the API)."""

    kind: str  # "case" or "document"
    case_id: int
    document_id: int | None
    aktenzeichen: str
    title: str
    snippet: str  # plain text
    url: str


def case_search_hits(
    *, user: User, query: str, limit: int = 20, offset: int = 0
) -> tuple[int, list[CaseSearchHit]]:
    """``case_search`` with each hit resolved to its case (two queries for any page size).

    A hit whose case is gone or no longer visible to ``user`` (index not yet updated) is left
    out, so the index can never show more than the case rules allow."""
    from html import unescape

    from django.utils.html import strip_tags

    results = case_search(user=user, query=query, limit=limit, offset=offset)
    document_ids = [int(h.key) for h in results.hits if h.kind == search_index.DOCUMENT_KIND]
    document_cases = dict(Document.objects.filter(pk__in=document_ids).values_list("pk", "case_id"))
    case_ids = {int(h.key) for h in results.hits if h.kind == search_index.CASE_KIND}
    case_ids |= set(document_cases.values())
    cases = {
        case.pk: case
        for case in visible_cases(
            Case.objects.filter(pk__in=case_ids, office_id__in=case_offices(user).values("pk")), user
        ).select_related("case_file")
    }
    hits = []
    for hit in results.hits:
        is_case = hit.kind == search_index.CASE_KIND
        case_id = int(hit.key) if is_case else document_cases.get(int(hit.key))
        case = cases.get(case_id) if case_id is not None else None
        if case is None:
            continue
        hits.append(
            CaseSearchHit(
                kind="case" if is_case else "document",
                case_id=case.pk,
                document_id=None if is_case else int(hit.key),
                aktenzeichen=case.case_file.aktenzeichen,
                title=hit.title,
                snippet=unescape(strip_tags(hit.snippet)),
                url=hit.url,
            )
        )
    return results.total, hits


def case_search_visibility(user: User) -> list[str]:
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


def office_case_staff(office: Office) -> QuerySet[User]:
    """Active staff who may work on ``office``'s cases (for the assign form)."""
    return working_staff(office_ids=[office.pk])


def case_history(case: Case) -> QuerySet[audit.AuditEntry]:
    """The case's complete change history from the audit log, oldest first."""
    return audit.entries_for_target("efile.case", case.pk)


@dataclass(frozen=True)
class HistoryRow:
    """One line of a case's history as people read it: when, who (a name), what (a label)."""

    at: datetime.datetime
    who: str
    what: str


HISTORY_LIMIT = 200


def case_history_rows(case: Case, *, limit: int = HISTORY_LIMIT) -> tuple[list[HistoryRow], int]:
    """The newest ``limit`` history entries, newest first, with people's names instead of
    user names and German labels instead of action codes; and how many there are in all."""
    from django.utils.translation import gettext as _

    entries = case_history(case)
    total = entries.count()
    rows = list(entries.order_by("-seq")[:limit])
    user_ids = {int(e.actor_id) for e in rows if e.actor_type in User.Kind.values and e.actor_id.isdigit()}
    names = full_names(user_ids)

    def who(entry: audit.AuditEntry) -> str:
        if entry.actor_type in User.Kind.values and entry.actor_id.isdigit():
            return names.get(int(entry.actor_id)) or entry.actor_label
        if entry.actor_type == "system":
            return _("System")
        return entry.actor_label or _("System")

    return [HistoryRow(at=e.created_at, who=who(e), what=audit.action_label(e.action)) for e in rows], total


def case_of_source(*, case_id: int, source: str) -> Case:
    """The case app ``source`` filed as ``case_id``, for that app's writes (it checks who acts)."""
    return Case.objects.select_related("case_file", "office").get(pk=case_id, source=source)


def document_in_case(*, case: Case, document_id: int | None) -> Document | None:
    """A document of ``case`` (None if ``document_id`` names none of its documents)."""
    if document_id is None:
        return None
    return case.documents.filter(pk=document_id).first()


def file_plan_entry_by_id(entry_id: int) -> FilePlanEntry | None:
    return FilePlanEntry.objects.filter(pk=entry_id).first()


def file_plan_entry_for_office(*, number: str, office: Office | None) -> FilePlanEntry | None:
    """The file plan entry ``number`` that applies to ``office``: the office's own entry if it
    has one, else the city-wide entry (``office`` empty), else None.

    Two explicit lookups rather than ``order_by("office_id")``: NULL sorts first on SQLite and
    last on PostgreSQL, so ordering picked the city-wide entry on one and the office's on the
    other.
    """
    own = FilePlanEntry.objects.filter(number=number, office=office).first()
    if own is not None:
        return own
    return FilePlanEntry.objects.filter(number=number, office__isnull=True).first()


def plan_rules(entry: FilePlanEntry) -> tuple[int, bool | None]:
    """Effective (retention years, archive-worthy) of a plan entry, inherited up the hierarchy."""
    chain: list[tuple[int | None, bool | None]] = []
    node: FilePlanEntry | None = entry
    while node is not None:
        chain.append((node.retention_years, node.archive_worthy))
        node = node.parent
    rules = effective_rules(list(reversed(chain)))
    return rules.retention_years, rules.archive_worthy


def disposal_due(*, office: Office, today: datetime.date) -> list[tuple[CaseFile, RetentionStatus]]:
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


def verify_document_blobs(
    *, progress: Callable[[int], object] | None = None
) -> tuple[int, list[BlobProblem]]:
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
        except blobs.BlobCorrupted:  # changed, or sealed under a key that is not configured
            problem = "mismatch"
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
    users |= set(working_staff(office_ids=offices).values_list("pk", flat=True))
    return sorted(users)


def resubmissions_for(*, user: User, on: datetime.date) -> list[Case]:
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


def case_notes(case: Case) -> QuerySet[CaseNote]:
    """The case's notes, oldest first, with their authors."""
    return case.notes.select_related("created_by")


@dataclass(frozen=True)
class CaseCounts:
    """What waits for one member of staff in the E-Akte (for the staff start page)."""

    mine: int  # open cases assigned to them
    offices: int  # open cases of the offices they work on, as far as they may see them
    resubmissions_due: int  # as in ``resubmissions_for``: their own and the unassigned ones


def case_counts_for(*, user: User, on: datetime.date) -> CaseCounts:
    """Counts of ``user``'s open cases and due resubmissions on ``on``; zeros for anyone who
    works on no office's cases."""
    offices = list(case_offices(user).values_list("pk", flat=True))
    if not offices:
        return CaseCounts(mine=0, offices=0, resubmissions_due=0)
    open_cases = visible_cases(
        Case.objects.filter(office_id__in=offices).exclude(status=Case.Status.CLOSED), user
    )
    due = open_cases.filter(resubmission_on__isnull=False, resubmission_on__lte=on).filter(
        Q(assignee=user) | Q(assignee__isnull=True)
    )
    return CaseCounts(
        mine=open_cases.filter(assignee=user).count(),
        offices=open_cases.count(),
        resubmissions_due=due.count(),
    )


def case_file_contents(*, case_file: CaseFile) -> list[Case]:
    """The file's cases (oldest first), each with its documents, their versions and blobs, and
    its notes with their authors: a query per level, whatever the file's size (for the xdomea
    offer and transfer of ``rathaus.efile.archive``)."""
    return list(
        case_file.cases.order_by("pk").prefetch_related("documents__versions__blob", "notes__created_by")
    )
