"""The office works on a submitted application: asks the applicant for missing documents or
details (Nachforderung, § 25 Abs. 1 VwVfG), takes the answer with its files into the case,
and decides by Bescheid, which goes to the citizen's postbox as a PDF.

Lock order everywhere: the application row, then (inside the E-Akte's services) the case.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.eforms.validation import FieldError
from rathaus.efile import selectors as efile_selectors
from rathaus.efile import services as efile_services
from rathaus.efile.types import Case
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound, RathausError

from ..models import Application, InformationRequest

SOURCE = "eforms"  # the cases of online applications (efile ``Case.source``)
MAX_TEXT_CHARS = 5_000
DEFAULT_DEADLINE_DAYS = 14
# The answer's files, checked as the forms' file fields are (type, size, malware).
ANSWER_ACCEPT = ("application/pdf", "image/jpeg", "image/png")
ANSWER_MAX_BYTES = 10_000_000
ANSWER_MAX_FILES = 5
OUTCOMES = ("approve", "reject")


class AnswerRefused(InvalidInput):
    """The answer was not taken (nothing stored in the case); ``errors`` name each problem."""

    default_code = "answer_refused"

    def __init__(self, message: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


def _check_staff(case: Case, by: User) -> None:
    if case.source != SOURCE or not efile_selectors.may_see_case(by, case):
        raise NotFound("Diesen Vorgang gibt es nicht oder Sie dürfen ihn nicht sehen.", code="case_unknown")


def _locked_application(application: Application, case: Case) -> Application:
    locked = Application.objects.select_for_update().select_related("applicant").get(pk=application.pk)
    if locked.case_id != case.pk:
        raise NotFound("Zu diesem Vorgang gibt es keinen Online-Antrag.", code="application_unknown")
    return locked


def _page(application: Application) -> str:
    return reverse("eforms:application", args=[application.public_id])


def _text(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"Bitte {what}.", code="text_missing")
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"Der Text ist zu lang (höchstens {MAX_TEXT_CHARS} Zeichen).", code="text_too_long"
        )
    return text


def default_deadline(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=DEFAULT_DEADLINE_DAYS)


@transaction.atomic
def information_request_create(
    *,
    application: Application,
    case: Case,
    text: str,
    deadline: datetime.date,
    by: User,
    documents: str = "",
    today: datetime.date | None = None,
) -> InformationRequest:
    """Ask the applicant for what is missing, by ``deadline``: the application waits for the
    answer ("Rückfrage"), the case gets a note, the citizen a postbox message (and e-mail notice)
    with a link to answer. One open request per application."""
    _check_staff(case, by)
    text = _text(text, "beschreiben Sie, was fehlt")
    documents = documents.strip()[:500]
    if deadline < (today or timezone.localdate()):
        raise InvalidInput("Die Frist darf nicht in der Vergangenheit liegen.", code="deadline_past")
    locked = _locked_application(application, case)
    if locked.is_decided:
        raise Conflict("Über diesen Antrag ist schon entschieden; eine Rückfrage ist nicht mehr möglich.")
    if locked.status != Application.Status.SUBMITTED:
        raise Conflict("Zu diesem Antrag ist schon eine Rückfrage offen.", code="request_open")
    request = InformationRequest.objects.create(
        application=locked, text=text, documents=documents, deadline=deadline, asked_by=by
    )
    locked.status = Application.Status.INFO_REQUESTED
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    wanted = f"\nGewünschte Unterlagen: {documents}" if documents else ""
    efile_services.case_note_add(
        case=case,
        text=f"Rückfrage an die Antragstellenden, Frist {deadline:%d.%m.%Y}:\n{text}{wanted}",
        by=by,
    )
    request.message = notify.postbox_send(
        recipient=locked.applicant,
        subject=f"Rückfrage zu Ihrem Antrag: {locked.title} ({locked.reference})",
        body=_request_body(locked, case, request),
        sender_label=case.office.name,
        sent_by=by,
        link=(_page(locked), "Rückfrage beantworten"),
    )
    request.save(update_fields=["message"])
    audit.record(
        actor=by,
        action="eforms.information_requested",
        target=locked,
        details={"request": request.pk, "deadline": deadline.isoformat(), "case": case.pk},
    )
    return request


def _request_body(application: Application, case: Case, request: InformationRequest) -> str:
    wanted = f"Bitte reichen Sie diese Unterlagen nach: {request.documents}\n\n" if request.documents else ""
    return (
        f"Guten Tag,\n\nzu Ihrem Antrag „{application.title}“ (Aktenzeichen {application.reference}) "
        f"benötigt {case.office.name} noch Folgendes:\n\n{request.text}\n\n{wanted}"
        f"Bitte antworten Sie bis zum {request.deadline:%d.%m.%Y} in „Mein Konto“ unter „Meine Anträge“: "
        f"{settings.RATHAUS_BASE_URL}{_page(application)}\n"
        "Dort können Sie eine Nachricht schreiben und Dateien hochladen (PDF, JPEG oder PNG).\n"
    )


@dataclass(frozen=True)
class _Checked:
    filename: str
    content: efile_services.CheckedContent


def _check_files(files: Sequence[IO[bytes]]) -> list[_Checked]:
    """Store and check every file before anything is written (slow work first); any problem
    refuses the whole answer, so the citizen sends it again complete."""
    if len(files) > ANSWER_MAX_FILES:
        raise AnswerRefused(
            f"Bitte laden Sie höchstens {ANSWER_MAX_FILES} Dateien hoch.",
            errors=[FieldError("dateien", "too_many_files", {"max": ANSWER_MAX_FILES})],
        )
    checked: list[_Checked] = []
    errors: list[FieldError] = []
    for upload in files:
        name = str(getattr(upload, "name", "") or "datei")
        try:
            blob = blobs.store(
                content=upload, filename=name, allowed_types=ANSWER_ACCEPT, max_bytes=ANSWER_MAX_BYTES
            )
            content = efile_services.document_content_check(
                content=blobs.read_bytes(blob), filename=blob.filename, declared_type=blob.content_type
            )
        except blobs.BlobTooLarge:
            errors.append(
                FieldError("dateien", "file_too_large", {"name": name, "max_bytes": ANSWER_MAX_BYTES})
            )
        except blobs.BlobTypeNotAllowed:
            errors.append(
                FieldError("dateien", "file_type", {"name": name, "accept": ", ".join(ANSWER_ACCEPT)})
            )
        except RathausError as error:  # empty, a name contradicting the content, malware, active PDF
            errors.append(FieldError("dateien", "file_refused", {"name": name, "reason": error.message}))
        else:
            checked.append(_Checked(filename=blob.filename, content=content))
    if errors:
        raise AnswerRefused("Ihre Antwort wurde nicht gesendet.", errors=errors)
    return checked


def _open_request(application: Application, request_id: int, by: User) -> InformationRequest:
    request = (
        InformationRequest.objects.select_for_update()
        .filter(pk=request_id, application=application, application__applicant=by)
        .first()
    )
    if request is None:
        raise NotFound("Diese Rückfrage gibt es nicht.", code="request_unknown")
    if request.answered_at is not None:
        answered = timezone.localtime(request.answered_at).strftime("%d.%m.%Y um %H:%M Uhr")
        raise Conflict(
            f"Diese Rückfrage haben Sie schon am {answered} beantwortet. Ihre Antwort liegt der Stelle vor.",
            code="request_answered",
        )
    if request.closed_at is not None:
        raise Conflict(
            "Diese Rückfrage ist geschlossen: Über Ihren Antrag ist schon entschieden.", code="request_closed"
        )
    return request


def information_request_answer(
    *, application: Application, request_id: int, text: str, files: Sequence[IO[bytes]], by: User
) -> InformationRequest:
    """The applicant answers an open request with a text and/or files: the files go into the
    case as incoming documents, the text into a case note; the application is back "in
    Bearbeitung". A request is answered once (a double submit finds it answered)."""
    if application.applicant_id != by.pk:
        raise NotFound("Diesen Antrag gibt es nicht.", code="application_unknown")
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise AnswerRefused(f"Die Nachricht ist zu lang (höchstens {MAX_TEXT_CHARS} Zeichen).")
    if not text and not files:
        raise AnswerRefused("Bitte schreiben Sie eine Nachricht oder laden Sie mindestens eine Datei hoch.")
    with transaction.atomic():  # refuse an answered request before the slow file checks
        _open_request(application, request_id, by)
    checked = _check_files(files)
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        request = _open_request(locked, request_id, by)
        if locked.case_id is None:  # not reachable: the office asks from the case
            raise Conflict("Ihr Antrag wird noch der zuständigen Stelle zugestellt.", code="not_yet_filed")
        case = efile_selectors.case_of_source(case_id=locked.case_id, source=SOURCE)
        filed = [
            efile_services.document_add(
                case=case,
                title=f"Nachgereicht: {item.filename}",
                content=item.content,
                filename=item.filename,
                by=None,
            )  # fmt: skip
            for item in checked
        ]
        request.answered_at = timezone.now()
        request.answer_text = text
        request.answer_files = [
            {"filename": item.filename, "sha256": item.content.blob.sha256, "document": document.pk}
            for item, document in zip(checked, filed, strict=True)
        ]
        request.save(update_fields=["answered_at", "answer_text", "answer_files"])
        locked.status = Application.Status.SUBMITTED
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "updated_at"])
        names = ", ".join(item.filename for item in checked) or "keine"
        efile_services.case_note_add(
            case=case,
            text=(
                f"Antwort auf die Rückfrage vom {timezone.localtime(request.asked_at):%d.%m.%Y} "
                f"(über das Serviceportal):\n{text or '(ohne Nachricht)'}\nNachgereichte Dateien: {names}"
            ),
            by=None,
        )
        audit.record(
            actor=by,
            action="eforms.information_answered",
            target=locked,
            details={"request": request.pk, "documents": [d.pk for d in filed], "case": case.pk},
        )
    return request
