"""Submission of an online application (see the package docstring)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.eforms.definition import FormDefinition
from rathaus.domain.eforms.validation import Upload, validate_form
from rathaus.efile import services as efile_services
from rathaus.efile.types import FilePlanEntry
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.money import format_eur
from rathaus.kernel.tasks import NoRetry
from rathaus.payments import selectors as payment_selectors
from rathaus.payments import services as payment_services

from .. import exports, pdfs
from ..models import Application, Attachment
from ._drafts import ApplicationIncomplete, _definition, attachments_by_step, plain

PRODUCT = "eforms.application"  # what a claim that must be paid before processing names
PAY_BEFORE = "mandatory"  # payments.PaymentPolicy.MANDATORY: "Zahlung vor Absenden"

FILE_PLAN = (
    ("02", "Online-Anträge", 10),
    ("02.10", "Eingegangene Online-Anträge", 10),
)


def _file_plan_entry(office: Office) -> FilePlanEntry:
    (top_number, top_title, top_years), (number, title, years) = FILE_PLAN
    return efile_services.file_plan_entry_ensure(
        office=office, number=number, title=title, parent_number=top_number, parent_title=top_title,
        parent_retention_years=top_years, retention_years=years,
    )  # fmt: skip


def _office(definition: FormDefinition) -> Office:
    service = directory_selectors.published_service_by_leika(leika_key=definition.leika)
    offices = list(service.offices.all()) if service is not None else []
    if not offices:
        raise Conflict(
            "Für diese Leistung ist keine zuständige Stelle eingerichtet. Bitte versuchen Sie es später.",
            code="office_missing",
        )
    return offices[0]


def _all_files(application: Application, definition: FormDefinition) -> dict[str, dict[str, list[Upload]]]:
    files = attachments_by_step(application)
    return {step.id: files.get(step.id, {}) for step in definition.steps}


def _reference(application: Application, today: datetime.date) -> str:
    return f"OA-{today.year}-{application.pk:07d}"


def application_submit(
    *, application: Application, by: User, today: datetime.date | None = None
) -> Application:
    """Submit the application (see the module docstring); returns it submitted."""
    definition = _definition(application)
    day = today or timezone.localdate()
    current = Application.objects.get(pk=application.pk)
    if current.applicant_id != by.pk:
        raise NotFound("Diesen Antrag gibt es nicht.", code="application_unknown")
    if not current.is_draft:
        return current  # a double click: the first submit did it
    result = validate_form(definition, current.raw, files_by_step=_all_files(current, definition), today=day)
    if not result.ok:
        step_id = result.first_step_with_errors or definition.steps[0].id
        raise ApplicationIncomplete("Bitte vervollständigen Sie Ihre Angaben.", step_id=step_id)
    office = _office(definition)
    data = plain(result.values)
    return _submit(current.pk, definition, data, office, by, day)


def _canonical(application: Application, attachments: list[Attachment]) -> bytes:
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


@transaction.atomic
def _submit(
    application_id: int,
    definition: FormDefinition,
    data: dict[str, Any],
    office: Office,
    by: User,
    day: datetime.date,
) -> Application:
    application = Application.objects.select_for_update().get(pk=application_id)
    if not application.is_draft:
        return application
    application.reference = _reference(application, day)
    attachments = list(Attachment.objects.filter(application=application).select_related("blob"))
    application.data = data
    canonical = _canonical(application, attachments)
    application.sha256 = hashlib.sha256(canonical).hexdigest()
    application.submitted_at = timezone.now()
    application.office = office
    pdf_bytes = pdfs.submission_pdf(application=application, definition=definition, attachments=attachments)
    application.pdf = blobs.store(content=pdf_bytes, filename=f"{application.reference}.pdf")
    tariff = payment_selectors.fee_for_service(service_key=definition.leika)
    pay_first = tariff is not None and tariff.payment_policy == PAY_BEFORE
    if pay_first:  # the service's payment policy: the office gets it once the fee is paid
        application.status = Application.Status.AWAITING_PAYMENT
    else:
        application.status = Application.Status.SUBMITTED
        application.case_id = _file_case(application, definition, office, pdf_bytes, attachments, canonical)
    if tariff is not None:
        application.claim = payment_services.claim_create(
            office=office,
            purpose=f"{definition.title}, {application.reference}"[:200],
            debtor_name=by.full_name,
            debtor=by,
            tariff_key=tariff.key,
            product=PRODUCT if pay_first else "",
            by=by,
        )
    application.save()
    _receipt(application, office)
    audit.record(
        actor=by,
        action="eforms.application_submitted",
        target=application,
        details={
            "reference": application.reference,
            "sha256": application.sha256,
            "case": application.case_id,
        },
    )
    return application


class ApplicationMissing(NotFound, NoRetry):
    """A paid claim of this product without its application: trying again cannot help."""

    default_code = "application_missing"


def application_fulfil_for_claim(*, claim_id: int) -> Application:
    """The fee of an application that waited for it is paid: file the case at the office
    (registered with payments as the product's ``fulfil``; once, whatever runs it twice)."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))  # PostgreSQL: not the outer-joined rows
            .select_related("office", "applicant", "pdf")
            .filter(claim_id=claim_id)
            .first()
        )
        if application is None:
            raise ApplicationMissing("Zu dieser Forderung gibt es keinen Online-Antrag.")
        if application.status != Application.Status.AWAITING_PAYMENT:
            return application
        definition = _definition(application)
        assert application.office is not None and application.pdf is not None
        attachments = list(Attachment.objects.filter(application=application).select_related("blob"))
        pdf_bytes = blobs.read_bytes(application.pdf)
        canonical = _canonical(application, attachments)
        application.case_id = _file_case(
            application, definition, application.office, pdf_bytes, attachments, canonical
        )
        application.status = Application.Status.SUBMITTED
        application.save(update_fields=["case_id", "status"])
        notify.postbox_send(
            recipient=application.applicant,
            subject=f"Gebühr bezahlt: {application.title} ({application.reference})"[:200],
            body=(
                f"Guten Tag,\n\nIhre Zahlung ist eingegangen. Ihr Antrag {application.reference} liegt "
                f"jetzt bei {application.office.name} zur Bearbeitung.\n"
            ),
            sender_label=application.office.name,
        )
        audit.record(
            actor=None,
            action="eforms.application_paid",
            target=application,
            details={"claim": claim_id, "case": application.case_id},
        )
    return application


def _file_case(
    application: Application,
    definition: FormDefinition,
    office: Office,
    pdf_bytes: bytes,
    attachments: list[Attachment],
    canonical: bytes,
) -> int:
    applicant = application.applicant
    case = efile_services.case_create(
        office=office,
        subject=f"{definition.title} – {applicant.full_name} ({application.reference})"[:300],
        file_plan_entry=_file_plan_entry(office),
        source="eforms",
        person=getattr(applicant, "person", None),
    )
    efile_services.document_add(
        case=case, title=f"Online-Antrag {application.reference}", content=pdf_bytes,
        filename=f"{application.reference}.pdf", by=None,
    )  # fmt: skip
    efile_services.document_add(
        case=case, title="Antragsdaten (maschinenlesbar)", content=canonical,
        filename=f"{application.reference}.json", by=None, declared_type="application/json",
    )  # fmt: skip
    for export in exports.exports_for(application, office):  # the form's standard formats
        efile_services.document_add(
            case=case, title=export.title, content=export.content, filename=export.filename, by=None,
            declared_type=export.media_type,
        )  # fmt: skip
    for row in attachments:
        efile_services.document_add(
            case=case, title=row.filename, content=blobs.read_bytes(row.blob), filename=row.filename, by=None
        )
    return int(case.pk)


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
