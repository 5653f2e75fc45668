"""Submission of an online application (see the package docstring)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.eforms.definition import FormDefinition
from rathaus.domain.eforms.validation import Upload, validate_form
from rathaus.kernel import audit, notify
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.tasks import NoRetry, enqueue_once
from rathaus.payments import selectors as payment_selectors
from rathaus.payments import services as payment_services

from ..models import Application, Attachment
from ._drafts import ApplicationIncomplete, _definition, attachments_by_step, plain
from ._filing import AFTER_SUBMIT, PRODUCT, after_submit_key, canonical

PAY_BEFORE = "mandatory"  # payments.PaymentPolicy.MANDATORY: "Zahlung vor Absenden"


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
    application.sha256 = hashlib.sha256(canonical(application, attachments)).hexdigest()
    application.submitted_at = timezone.now()
    application.office = office
    tariff = payment_selectors.fee_for_service(service_key=definition.leika)
    pay_first = tariff is not None and tariff.payment_policy == PAY_BEFORE
    # The service's payment policy: the office gets it once the fee is paid.
    application.status = Application.Status.AWAITING_PAYMENT if pay_first else Application.Status.SUBMITTED
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
    audit.record(
        actor=by,
        action="eforms.application_submitted",
        target=application,
        details={"reference": application.reference, "sha256": application.sha256},
    )
    # PDF, receipt and case follow off the request, in the same transaction's queue row.
    enqueue_once(
        AFTER_SUBMIT, key=after_submit_key(application.pk, "submitted"), application_id=application.pk
    )
    return application


class ApplicationMissing(NotFound, NoRetry):
    """A paid claim of this product without its application: trying again cannot help."""

    default_code = "application_missing"


def application_fulfil_for_claim(*, claim_id: int) -> Application:
    """The fee of an application that waited for it is paid: the office gets it (registered
    with payments as the product's ``fulfil``; once, whatever runs it twice). The case is filed
    by the keyed task, as for any submission."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))  # PostgreSQL: not the outer-joined rows
            .select_related("office", "applicant")
            .filter(claim_id=claim_id)
            .first()
        )
        if application is None:
            raise ApplicationMissing("Zu dieser Forderung gibt es keinen Online-Antrag.")
        if application.status != Application.Status.AWAITING_PAYMENT:
            return application
        assert application.office is not None
        application.status = Application.Status.SUBMITTED
        application.save(update_fields=["status"])
        notify.postbox_send(
            recipient=application.applicant,
            subject=f"Gebühr bezahlt: {application.title} ({application.reference})"[:200],
            body=(
                f"Guten Tag,\n\nIhre Zahlung ist eingegangen. Ihr Antrag {application.reference} geht "
                f"jetzt an {application.office.name} zur Bearbeitung.\n"
            ),
            sender_label=application.office.name,
        )
        audit.record(
            actor=None, action="eforms.application_paid", target=application, details={"claim": claim_id}
        )
        enqueue_once(
            AFTER_SUBMIT, key=after_submit_key(application.pk, "paid"), application_id=application.pk
        )
    return application
