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
from rathaus.efile import selectors as efile_selectors
from rathaus.efile import services as efile_services
from rathaus.efile.types import FilePlanEntry
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.payments import selectors as payment_selectors
from rathaus.payments import services as payment_services

from .. import pdfs
from ..models import Application, Attachment
from ._drafts import ApplicationIncomplete, _definition, attachments_by_path, plain

FILE_PLAN = (
    ("02", "Online-Anträge", 10),
    ("02.10", "Eingegangene Online-Anträge", 10),
)


def _file_plan_entry(office: Office) -> FilePlanEntry:
    entries: dict[str, FilePlanEntry] = {}
    for number, title, years in FILE_PLAN:
        entry = efile_selectors.file_plan_entry_for_office(number=number, office=office)
        if entry is None:
            entry = efile_services.file_plan_entry_create(
                number=number,
                title=title,
                parent=entries.get(number.rpartition(".")[0]) if "." in number else None,
                retention_years=years,
                files_allowed="." in number,
            )
        entries[number] = entry
    return entries[FILE_PLAN[-1][0]]


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
    return {step.id: attachments_by_path(application, step.id) for step in definition.steps}


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
    body = {
        "form": {"id": definition.id, "version": definition.version, "leika": definition.leika},
        "reference": application.reference,
        "data": data,
        "attachments": [
            {"path": row.path, "filename": row.filename, "sha256": row.blob.sha256} for row in attachments
        ],
    }
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    application.data = data
    application.sha256 = hashlib.sha256(canonical).hexdigest()
    application.submitted_at = timezone.now()
    application.status = Application.Status.SUBMITTED
    application.office = office
    pdf_bytes = pdfs.submission_pdf(application=application, definition=definition, attachments=attachments)
    application.pdf = blobs.store(content=pdf_bytes, filename=f"{application.reference}.pdf")
    application.case_id = _file_case(application, definition, office, pdf_bytes, attachments, canonical)
    application.save()
    _claim(application, definition, office, by)
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
    for row in attachments:
        efile_services.document_add(
            case=case, title=row.filename, content=blobs.read_bytes(row.blob), filename=row.filename, by=None
        )
    return int(case.pk)


def _claim(application: Application, definition: FormDefinition, office: Office, by: User) -> None:
    tariff = payment_selectors.fee_for_service(service_key=definition.leika)
    if tariff is None:
        return
    claim = payment_services.claim_create(
        office=office,
        purpose=f"{definition.title}, {application.reference}"[:200],
        debtor_name=by.full_name,
        debtor=by,
        tariff_key=tariff.key,
        by=by,
    )
    application.claim_id = claim.pk
    application.save(update_fields=["claim"])


def _receipt(application: Application, office: Office) -> None:
    assert application.pdf is not None
    submitted = timezone.localtime(application.submitted_at).strftime("%d.%m.%Y um %H:%M Uhr")
    notify.postbox_send(
        recipient=application.applicant,
        subject=f"Eingangsbestätigung: {application.title} ({application.reference})"[:200],
        body=(
            f"Guten Tag,\n\nIhr Antrag „{application.title}“ ist am {submitted} bei {office.name} "
            f"eingegangen. Aktenzeichen Ihres Antrags: {application.reference}.\n\n"
            "Im Anhang finden Sie Ihre Angaben als PDF. Den Stand Ihres Antrags sehen Sie in "
            "„Mein Konto“ unter „Meine Anträge“.\n"
        ),
        sender_label=office.name,
        attachments=[(f"{application.reference}.pdf", application.pdf)],
    )
