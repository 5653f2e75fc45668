"""JSON API of the e-invoice inbound platform: suppliers submit XRechnung (scope ``einvoice:submit``).

``POST /api/v1/einvoices`` takes the XML document as the raw request body. The token must belong to an
organisation (the supplier). Rejections are problem+json with the IDs of the broken rules in ``rules``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from rathaus.accounts.types import ApiToken, Organisation
from rathaus.api.auth import require_scope
from rathaus.api.problems import Problem
from rathaus.domain.einvoice import DEFAULT_MAX_BYTES
from rathaus.kernel.exceptions import NotFound

from . import selectors, services
from .models import InboundInvoice

router = Router(tags=["E-Rechnung"])

SUBMIT = "einvoice:submit"


class FindingOut(Schema):
    rule: str
    severity: str
    message: str
    location: str


class InvoiceOut(Schema):
    id: int
    # "rejected" (not accepted by the platform), or for accepted invoices the workflow state:
    # accepted, factually_approved, arithmetically_approved, approved, payment_ordered, exported,
    # paid, declined (rejected by the authority, see ``decline_reason``).
    status: str
    status_label: str
    decline_reason: str
    paid_at: datetime.datetime | None
    received_at: datetime.datetime
    channel: str
    syntax: str
    invoice_number: str
    leitweg_id: str
    office_id: int | None
    total_with_vat: Decimal | None
    currency: str
    rule_set_version: str
    rules: list[str]
    findings: list[FindingOut]


def _status(invoice: InboundInvoice) -> str:
    """The platform verdict, refined by the authority's workflow state once accepted."""
    if invoice.status == InboundInvoice.Status.ACCEPTED and invoice.state:
        return invoice.state
    return invoice.status


def _out(invoice: InboundInvoice) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk,
        status=_status(invoice),
        status_label=str(
            invoice.get_state_display() if _status(invoice) == invoice.state else invoice.get_status_display()
        ),
        decline_reason=invoice.decline_reason,
        paid_at=invoice.paid_at,
        received_at=invoice.received_at,
        channel=invoice.channel,
        syntax=invoice.syntax,
        invoice_number=invoice.invoice_number,
        leitweg_id=invoice.leitweg_id,
        office_id=invoice.office_id,
        total_with_vat=invoice.total_with_vat,
        currency=invoice.currency,
        rule_set_version=invoice.rule_set_version,
        rules=invoice.rejection_rules,
        findings=invoice.validation_report.get("findings", []),
    )


def _organisation(request: HttpRequest) -> tuple[ApiToken, Organisation]:
    token = require_scope(request, SUBMIT)
    organisation = token.organisation
    if organisation is None:
        raise Problem(
            403,
            "E-Rechnungen können nur mit dem API-Token einer Organisation eingereicht werden.",
            code="no_org",
        )
    return token, organisation


@router.post(
    "/einvoices",
    response={201: InvoiceOut},
    summary="E-Rechnung einreichen (XRechnung 3.0 in UBL oder CII als Request-Body)",
    # The XML is read from the raw body; declared so that clients and fuzzers see it (and its 413/422).
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
)
def einvoice_submit(request: HttpRequest) -> Status[InvoiceOut]:
    token, organisation = _organisation(request)
    # Read the stream ourselves: ``request.body`` stops at DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB), but
    # invoices with embedded attachments may have up to 15 MB.
    content = request.read(DEFAULT_MAX_BYTES + 1)
    if len(content) > DEFAULT_MAX_BYTES:
        raise Problem(
            413,
            f"Die Rechnung ist größer als {DEFAULT_MAX_BYTES // 2**20} MB und wurde nicht angenommen.",
            code="einvoice_too_large",
            extensions={"rules": ["SIZE-LIMIT"]},
        )
    invoice = services.invoice_receive(
        content=content,
        sender=organisation,
        channel=InboundInvoice.Channel.API,
        submitted_by=token.owner,
    )
    if invoice.status == InboundInvoice.Status.REJECTED:
        duplicate = invoice.rejection_rules == ["DUPLICATE"]
        raise Problem(
            409 if duplicate else 422,
            f"Die Rechnung wurde abgelehnt. {invoice.rejection_reason}",
            code="einvoice_duplicate" if duplicate else "einvoice_rejected",
            extensions={
                "invoice_id": invoice.pk,
                "rules": invoice.rejection_rules,
                "findings": invoice.validation_report.get("findings", []),
                "duplicate_of": invoice.duplicate_of_id,
            },
        )
    return Status(201, _out(invoice))


@router.get("/einvoices/{invoice_id}", response=InvoiceOut, summary="Status einer eingereichten E-Rechnung")
def einvoice_get(request: HttpRequest, invoice_id: int) -> InvoiceOut:
    _token, organisation = _organisation(request)
    invoice = selectors.invoice_for_sender(invoice_id=invoice_id, sender=organisation)
    if invoice is None:
        raise NotFound(
            "Diese Rechnung gibt es nicht oder sie wurde von einer anderen Organisation eingereicht."
        )
    return _out(invoice)
