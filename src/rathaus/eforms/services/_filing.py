"""What follows a submission off the citizen's request (docs/decisions/0116): render the
submission's PDF and post the receipt with it, file the case with every document and export in
the office's E-Akte. Run by the keyed task ``eforms.tasks.application_after_submit``.

Idempotent, whatever runs it twice or after a crash: the application row is locked and each
step is done in one transaction with the mark that it was done (the PDF's blob for PDF and
receipt, ``case_id`` for the case), so a second run finds both and does nothing.
"""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone

from rathaus.directory.types import Office
from rathaus.efile import services as efile_services
from rathaus.efile.types import FilePlanEntry
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.money import format_eur
from rathaus.kernel.tasks import NoRetry

from .. import exports, pdfs
from ..models import Application, Attachment
from ._drafts import _definition

PRODUCT = "eforms.application"  # what a claim that must be paid before processing names
AFTER_SUBMIT = "rathaus.eforms.tasks.application_after_submit"

FILE_PLAN = (
    ("02", "Online-Anträge", 10),
    ("02.10", "Eingegangene Online-Anträge", 10),
)


class SubmissionAltered(Conflict, NoRetry):
    """The stored submission no longer matches its hash: never file it (trying again cannot help)."""

    default_code = "submission_altered"


def after_submit_key(application_id: int, event: str) -> str:
    """The task's key: ``submitted`` (PDF, receipt and, unless the fee comes first, the case)
    or ``paid`` (the case of an application that waited for its fee)."""
    return f"eforms-{event}:{application_id}"


def canonical(application: Application, attachments: list[Attachment]) -> bytes:
    """The submission as the JSON document its hash covers (FIT-Connect style: metadata,
    data, attachments by hash); the same bytes at submission and when filed later."""
    body = {
        "form": {
            "id": application.form_id,
            "version": application.form_version,
            "leika": application.leika_key,
        },
        "reference": application.reference,
        "data": application.data,
        "attachments": [
            {"path": row.path, "filename": row.filename, "sha256": row.blob.sha256} for row in attachments
        ],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def application_deliver(*, application_id: int) -> Application | None:
    """The PDF and receipt if not yet done, then the case if the application is submitted and
    not yet filed (one paying first is filed once paid). None if there is no such submission
    (the submit's transaction rolled back).

    The slow work (the PDF, the E-Akte's content checks and text extraction, the blobs) is done
    before the application row is locked; each step's transaction then only writes rows, so it
    holds the lock of the audit chain briefly (the submits wait for it, decision 0099)."""
    application = _submission(application_id, lock=False)
    if application is None:
        return None
    checked: tuple[list[Attachment], bytes] | None = None
    if application.pdf is None:
        checked = _checked(application)
        attachments = checked[0]
        pdf_bytes = pdfs.submission_pdf(
            application=application, definition=_definition(application), attachments=attachments
        )
        pdf = blobs.store(content=pdf_bytes, filename=f"{application.reference}.pdf")
        with transaction.atomic():
            application = _submission(application_id, lock=True)
            assert application is not None and application.office is not None
            if application.pdf is None:
                application.pdf = pdf
                application.save(update_fields=["pdf"])
                _receipt(application, application.office)
    if not application.awaits_filing:
        return application
    documents = _documents(application, checked or _checked(application))
    with transaction.atomic():
        application = _submission(application_id, lock=True)
        assert application is not None
        if application.awaits_filing:
            _file(application, documents)
    return application


def _submission(application_id: int, *, lock: bool) -> Application | None:
    rows = Application.objects.select_related("office", "applicant", "claim", "pdf")
    if lock:
        rows = rows.select_for_update(of=("self",))  # PostgreSQL: not the outer-joined rows
    return rows.filter(pk=application_id, submitted_at__isnull=False, office__isnull=False).first()


def _checked(application: Application) -> tuple[list[Attachment], bytes]:
    """The attachments and the canonical document, which must still match the stored hash."""
    attachments = list(Attachment.objects.filter(application=application).select_related("blob"))
    document = canonical(application, attachments)
    if hashlib.sha256(document).hexdigest() != application.sha256:
        raise SubmissionAltered(
            f"Der Antrag {application.reference} stimmt nicht mehr mit seinem Hash überein."
        )
    return attachments, document


def _documents(
    application: Application, checked: tuple[list[Attachment], bytes]
) -> list[tuple[str, str, efile_services.CheckedContent]]:
    """The case's documents (title, filename, content checked and stored by the E-Akte): the
    PDF, the canonical JSON, the form's exports in their standards, every attachment."""
    assert application.office is not None and application.pdf is not None
    attachments, document = checked
    reference = application.reference
    items: list[tuple[str, str, bytes, str | None]] = [
        (f"Online-Antrag {reference}", f"{reference}.pdf", blobs.read_bytes(application.pdf), None),
        ("Antragsdaten (maschinenlesbar)", f"{reference}.json", document, "application/json"),
    ]
    items += [
        (export.title, export.filename, export.content, export.media_type)
        for export in exports.exports_for(application, application.office)
    ]
    items += [(row.filename, row.filename, blobs.read_bytes(row.blob), None) for row in attachments]
    return [
        (title, filename, efile_services.document_content_check(content=content, filename=filename,
                                                                 declared_type=declared))
        for title, filename, content, declared in items
    ]  # fmt: skip


def _file(application: Application, documents: list[tuple[str, str, efile_services.CheckedContent]]) -> None:
    assert application.office is not None
    applicant = application.applicant
    case = efile_services.case_create(
        office=application.office,
        subject=f"{application.title} – {applicant.full_name} ({application.reference})"[:300],
        file_plan_entry=_file_plan_entry(application.office),
        source="eforms",
        person=getattr(applicant, "person", None),
    )
    for title, filename, checked in documents:
        efile_services.document_add(case=case, title=title, content=checked, filename=filename, by=None)
    application.case_id = case.pk
    application.save(update_fields=["case_id"])
    audit.record(
        actor=None,
        action="eforms.application_filed",
        target=application,
        details={"reference": application.reference, "case": application.case_id},
    )


def _file_plan_entry(office: Office) -> FilePlanEntry:
    (top_number, top_title, top_years), (number, title, years) = FILE_PLAN
    return efile_services.file_plan_entry_ensure(
        office=office, number=number, title=title, parent_number=top_number, parent_title=top_title,
        parent_retention_years=top_years, retention_years=years,
    )  # fmt: skip


def _payment_note(application: Application) -> str:
    claim = application.claim
    if claim is None:
        return ""
    amount = format_eur(claim.amount, "de")
    if application.status == Application.Status.AWAITING_PAYMENT:
        return (
            f"Bitte bezahlen Sie die Gebühr von {amount} (Kassenzeichen {claim.display_kassenzeichen}); "
            "erst dann bearbeitet die Stelle Ihren Antrag.\n\n"
        )
    if claim.product == PRODUCT:  # paid first, before this receipt was written
        return f"Ihre Zahlung der Gebühr von {amount} ist eingegangen.\n\n"
    return (
        f"Die Gebühr von {amount} (Kassenzeichen {claim.display_kassenzeichen}) ist bis "
        f"{claim.due_on:%d.%m.%Y} zu zahlen.\n\n"
    )


def _receipt(application: Application, office: Office) -> None:
    assert application.pdf is not None
    submitted = timezone.localtime(application.submitted_at).strftime("%d.%m.%Y um %H:%M Uhr")
    notify.postbox_send(
        recipient=application.applicant,
        subject=f"Eingangsbestätigung: {application.title} ({application.reference})"[:200],
        body=(
            f"Guten Tag,\n\nIhr Antrag „{application.title}“ ist am {submitted} bei {office.name} "
            f"eingegangen. Aktenzeichen Ihres Antrags: {application.reference}.\n\n"
            f"{_payment_note(application)}"
            "Im Anhang finden Sie Ihre Angaben als PDF. Den Stand Ihres Antrags sehen Sie in "
            "„Mein Konto“ unter „Meine Anträge“.\n"
        ),
        sender_label=office.name,
        attachments=[(f"{application.reference}.pdf", application.pdf)],
    )
