"""Cases (Vorgänge): filing, assigning, forwarding, resubmission, closing, notes."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import Organisation, User
from rathaus.directory.types import Office
from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput
from rathaus.registers.types import Person

from .. import search_index
from ..models import Case, CaseFile, CaseNote, FilePlanEntry
from ._common import CaseClosed, _bump, _check_confidentiality, _locked, _refuse_closed
from .fileplan import case_file_create


def _file_for_case(
    *,
    office: Office,
    case_file: CaseFile | None,
    file_plan_entry: FilePlanEntry | None,
    subject: str,
    by: User | None,
) -> CaseFile:
    """``case_file`` checked to take a new case of ``office``, or a new file under ``file_plan_entry``."""
    if case_file is None:
        if file_plan_entry is None:
            raise InvalidInput("Bitte geben Sie eine Akte oder einen Aktenplaneintrag an.")
        return case_file_create(office=office, file_plan_entry=file_plan_entry, title=subject, created_by=by)
    if case_file.office_id != office.pk:
        raise InvalidInput(f"Die Akte {case_file.aktenzeichen} gehört zu einer anderen Dienststelle.")
    if case_file.is_closed:
        raise CaseClosed(
            f"Die Akte {case_file.aktenzeichen} ist geschlossen; es können keine Vorgänge hinzukommen."
        )
    return case_file


@transaction.atomic
def case_create(
    *,
    office: Office,
    subject: str,
    file_plan_entry: FilePlanEntry | None = None,
    case_file: CaseFile | None = None,
    created_by: User | None = None,
    source: str = "",
    person: Person | None = None,
    assignee: User | None = None,
    deadline: datetime.date | None = None,
    organisation: Organisation | None = None,
    confidentiality: str = Case.Confidentiality.NORMAL,
) -> Case:
    """File a new case in ``office``: in ``case_file``, or in a new file under ``file_plan_entry``.

    ``organisation`` is an organisation taking part (``accounts.Organisation``); a
    ``confidentiality`` other than "normal" limits the case to its assignee and the Leitung.
    """
    _check_confidentiality(confidentiality)
    subject = subject.strip()
    if not subject:
        raise InvalidInput("Bitte geben Sie einen Betreff für den Vorgang an.", code="subject_missing")
    case_file = _file_for_case(
        office=office, case_file=case_file, file_plan_entry=file_plan_entry, subject=subject, by=created_by
    )
    case = Case.objects.create(
        case_file=case_file,
        office=office,
        subject=subject[:300],
        source=source[:60],
        person=person,
        organisation=organisation,
        confidentiality=confidentiality,
        assignee=assignee,
        deadline=deadline,
        created_by=created_by,
        status=Case.Status.IN_PROGRESS if assignee else Case.Status.OPEN,
    )
    audit.record(
        actor=created_by,
        action="efile.case_created",
        target=case,
        details={
            "aktenzeichen": case_file.aktenzeichen,
            "office": office.pk,
            "source": source,
            "organisation": organisation.pk if organisation is not None else None,
            "confidentiality": confidentiality,
        },
    )
    search_index.index_case(case)
    return case


@transaction.atomic
def case_confidentiality_set(
    *, case: Case, confidentiality: str, by: User | None, expected_version: int | None = None
) -> Case:
    """Set how confidential the case is; re-indexes the case and its documents for search."""
    _check_confidentiality(confidentiality)
    case = _locked(case, expected_version)
    previous = case.confidentiality
    case.confidentiality = confidentiality
    _bump(case, ["confidentiality"])
    audit.record(
        actor=by,
        action="efile.case_confidentiality_set",
        target=case,
        details={"from": previous, "to": confidentiality},
    )
    search_index.index_case(case)
    return case


@transaction.atomic
def case_assign(
    *, case: Case, assignee: User | None, by: User | None, expected_version: int | None = None
) -> Case:
    """Give the case to ``assignee`` (staff of the case's office), or take it back with None."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if assignee is not None:
        from rathaus.accounts.selectors import staff_offices

        if not staff_offices(assignee).filter(pk=case.office_id).exists():
            raise InvalidInput(f"{assignee.full_name} arbeitet nicht in der Dienststelle dieses Vorgangs.")
    case.assignee = assignee
    case.status = Case.Status.IN_PROGRESS if assignee else Case.Status.OPEN
    _bump(case, ["assignee", "status"])
    audit.record(
        actor=by,
        action="efile.case_assigned",
        target=case,
        details={"assignee": assignee.pk if assignee else None},
    )
    return case


@transaction.atomic
def case_forward(
    *, case: Case, to_office: Office, by: User | None, note: str, expected_version: int | None = None
) -> Case:
    """Hand the case, with its documents, to another office; it lands unassigned in their inbox."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if to_office.pk == case.office_id:
        raise InvalidInput("Der Vorgang liegt schon in dieser Dienststelle.", code="same_office")
    if not note.strip():
        raise InvalidInput("Bitte begründen Sie die Abgabe an die andere Dienststelle.", code="note_missing")
    from_office = case.office_id
    case.office = to_office
    case.assignee = None
    case.status = Case.Status.OPEN
    _bump(case, ["office", "assignee", "status"])
    audit.record(
        actor=by,
        action="efile.case_forwarded",
        target=case,
        details={"from": from_office, "to": to_office.pk, "note": note.strip()},
    )
    search_index.index_case(case)
    return case


@transaction.atomic
def case_resubmission_set(
    *, case: Case, on: datetime.date | None, by: User | None, expected_version: int | None = None
) -> Case:
    """Set (or clear with None) the date on which the case comes back (Wiedervorlage)."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    if on is not None and on < timezone.localdate():
        raise InvalidInput(
            "Die Wiedervorlage darf nicht in der Vergangenheit liegen.", code="resubmission_past"
        )
    case.resubmission_on = on
    _bump(case, ["resubmission_on"])
    audit.record(actor=by, action="efile.case_resubmission_set", target=case, details={"on": on})
    return case


@transaction.atomic
def case_close(*, case: Case, by: User | None, expected_version: int | None = None) -> Case:
    """Close the case (z. d. A.); afterwards it only changes through ``case_reopen``."""
    case = _locked(case, expected_version)
    _refuse_closed(case)
    case.status = Case.Status.CLOSED
    case.closed_at = timezone.now()
    case.resubmission_on = None
    _bump(case, ["status", "closed_at", "resubmission_on"])
    audit.record(actor=by, action="efile.case_closed", target=case)
    return case


@transaction.atomic
def case_reopen(*, case: Case, by: User | None, reason: str, expected_version: int | None = None) -> Case:
    """Reopen a closed case; the reason is mandatory and kept in the audit log."""
    case = _locked(case, expected_version)
    if not case.is_closed:
        raise InvalidInput("Der Vorgang ist nicht abgeschlossen.", code="case_not_closed")
    if case.case_file.is_closed:
        raise CaseClosed(
            f"Die Akte {case.case_file.aktenzeichen} ist geschlossen; "
            "ihre Vorgänge können nicht wieder aufgenommen werden."
        )
    if not reason.strip():
        raise InvalidInput("Bitte begründen Sie die Wiederaufnahme.", code="reason_missing")
    case.status = Case.Status.IN_PROGRESS if case.assignee_id else Case.Status.OPEN
    case.closed_at = None
    _bump(case, ["status", "closed_at"])
    audit.record(actor=by, action="efile.case_reopened", target=case, details={"reason": reason.strip()})
    return case


MAX_NOTE_CHARS = 10_000


@transaction.atomic
def case_note_add(*, case: Case, text: str, by: User | None) -> CaseNote:
    """Add a note to the case. Notes are append-only, so they never conflict with other edits."""
    case = _locked(case, None)
    _refuse_closed(case)
    text = text.strip()
    if not text:
        raise InvalidInput("Bitte schreiben Sie einen Text für die Notiz.", code="note_empty")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(
            f"Die Notiz ist zu lang (höchstens {MAX_NOTE_CHARS} Zeichen).", code="note_too_long"
        )
    note = CaseNote.objects.create(case=case, text=text, created_by=by)
    # The text itself may hold personal data: the audit entry records that a note was written.
    audit.record(
        actor=by, action="efile.case_note_added", target=case, details={"note": note.pk, "chars": len(text)}
    )
    search_index.index_case(case)
    return note


def resubmission_reminders_enqueue(*, on: datetime.date) -> int:
    """Queue one reminder per staff member with cases due for resubmission on ``on`` or earlier.

    A case's reminder goes to its assignee; an unassigned case to everyone working on the
    office's cases. Keyed per person and day, so running this twice a day sends one e-mail.
    Returns the number of people reminded.
    """
    from rathaus.kernel.tasks import enqueue_once

    from .. import selectors

    recipients = selectors.resubmission_recipients(on=on)
    for user_id in recipients:
        enqueue_once(
            "rathaus.efile.tasks.send_resubmission_reminder",
            key=f"efile-resubmission:{on.isoformat()}:{user_id}",
            user_id=user_id,
            on=on.isoformat(),
        )
    return len(recipients)


@transaction.atomic
def resubmission_reminder_sent(*, user: User, on: datetime.date, cases: list[Case]) -> None:
    """Record that ``user`` was e-mailed the resubmissions due on ``on`` (by the reminder task)."""
    audit.record(
        actor=None,
        action="efile.resubmission_reminder_sent",
        target=user,
        details={"on": on.isoformat(), "cases": [case.pk for case in cases]},
    )
