"""The office decides an online application by Bescheid (see ``_casework``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.efile import selectors as efile_selectors
from rathaus.efile import services as efile_services
from rathaus.efile.types import Case, Document
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, InvalidInput

from .. import effects
from ..models import Application, InformationRequest
from ._casework import MAX_TEXT_CHARS, OUTCOMES, _check_staff, _locked_application, _page


def _bescheid_body(application: Application, outcome: str, text: str) -> str:
    submitted = timezone.localtime(application.submitted_at).strftime("%d.%m.%Y")
    about = f"Ihr Antrag „{application.title}“ vom {submitted} (Aktenzeichen {application.reference})"
    if outcome == "approve":
        return f"{about} wird bewilligt.\n\n{text}".strip()
    return f"{about} wird abgelehnt.\n\nBegründung:\n{text}"


def _content(case: Case, document: Document) -> tuple[str, blobs.Blob]:
    """The Bescheid's PDF as filed (the newest version of ``document``), with its file name."""
    versions = next(
        versions for doc, versions in efile_selectors.case_documents(case) if doc.pk == document.pk
    )
    return versions[-1].filename, versions[-1].blob


def _deliver(
    application: Application, case: Case, document: Document, outcome: str, by: User
) -> notify.PostboxMessage:
    """The Bescheid's PDF into the applicant's postbox (with the e-mail notice)."""
    filename, blob = _content(case, document)
    decided = "bewilligt" if outcome == "approve" else "abgelehnt"
    return notify.postbox_send(
        recipient=application.applicant,
        subject=f"Bescheid zu Ihrem Antrag: {application.title} ({application.reference})",
        body=(
            f"Guten Tag,\n\n{case.office.name} hat über Ihren Antrag „{application.title}“ (Aktenzeichen "
            f"{application.reference}) entschieden: Der Antrag wird {decided}.\n\n"
            "Den Bescheid finden Sie im Anhang als PDF; er enthält auch die Rechtsbehelfsbelehrung.\n"
        ),
        sender_label=case.office.name,
        attachments=[(filename, blob)],
        sent_by=by,
        link=(_page(application), "Antrag ansehen"),
    )


@transaction.atomic
def application_decide(
    *, application: Application, case: Case, outcome: str, text: str, by: User
) -> Application:
    """Approve or reject: issue the Bescheid into the case (``efile.services.bescheid_issue``),
    set the status, close an open request unanswered and deliver the Bescheid PDF to the
    citizen's postbox. An application is decided once."""
    _check_staff(case, by)
    if outcome not in OUTCOMES:
        raise InvalidInput("Bitte wählen Sie: bewilligen oder ablehnen.", code="outcome_missing")
    text = text.strip()
    if outcome == "reject" and not text:
        raise InvalidInput("Bitte begründen Sie die Ablehnung.", code="reason_missing")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"Der Text ist zu lang (höchstens {MAX_TEXT_CHARS} Zeichen).", code="text_too_long"
        )
    locked = _locked_application(application, case)
    if locked.is_decided:
        raise Conflict(
            f"Über diesen Antrag ist schon entschieden: {locked.get_status_display()}.", code="decided"
        )
    if locked.status not in (Application.Status.SUBMITTED, Application.Status.INFO_REQUESTED):
        raise Conflict("Dieser Antrag liegt noch nicht zur Entscheidung vor.", code="not_submitted")
    # What acceptance changes beyond the case (the register, for a Wohnsitzanmeldung) happens
    # first: if it cannot, the decision is not made (decision 0113).
    changed = effects.on_acceptance(locked, by) if outcome == "approve" else []
    for note in changed:
        efile_services.case_note_add(case=case, text=note, by=by)
    document = efile_services.bescheid_issue(
        case=case,
        title=f"Bescheid: {locked.title}",
        body=_bescheid_body(locked, outcome, "\n\n".join([*changed, text])),
        addressee=locked.applicant.full_name,
        by=by,
    )
    now = timezone.now()
    InformationRequest.objects.filter(
        application=locked, answered_at__isnull=True, closed_at__isnull=True
    ).update(closed_at=now)
    locked.decision_message = _deliver(locked, case, document, outcome, by)
    locked.status = Application.Status.APPROVED if outcome == "approve" else Application.Status.REJECTED
    locked.decided_at = now
    locked.updated_at = now
    locked.save(update_fields=["status", "decided_at", "decision_message", "updated_at"])
    audit.record(
        actor=by,
        action="eforms.application_decided",
        target=locked,
        details={"outcome": outcome, "document": document.pk, "case": case.pk},
    )
    return locked
