"""The payment run: ordered payments go to the budget and cash accounting system (HKR) as one file.

Idempotent: every exported invoice is marked and points to its export, so a second run never
exports it again. Downloads of export files and originals are audited here too.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.einvoice import hkr
from rathaus.domain.einvoice.workflow import Action, State, apply
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import NotFound

from ..models import InboundInvoice, PaymentExport
from ..selectors import may_work_on
from .approval import workflow_of
from .common import Staff, actor_id


def _username(user: User | None) -> str:
    return user.get_username() if user is not None else ""


def _order(invoice: InboundInvoice) -> hkr.PaymentOrder:
    assert invoice.issue_date is not None and invoice.payment_ordered_at is not None
    return hkr.PaymentOrder(
        invoice_id=invoice.pk,
        is_credit_note=invoice.is_credit_note,
        office=invoice.office.slug if invoice.office else "",
        leitweg_id=invoice.leitweg_id,
        seller_name=invoice.seller_name,
        seller_vat_id=invoice.seller_vat_id,
        iban=invoice.payee_iban,
        invoice_number=invoice.invoice_number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency,
        amount=invoice.amount_due if invoice.amount_due is not None else Decimal("0"),
        factual_by=_username(invoice.factual_approved_by),
        arithmetic_by=_username(invoice.arithmetic_approved_by),
        ordered_by=_username(invoice.payment_ordered_by),
        ordered_at=invoice.payment_ordered_at,
        sha256=invoice.blob.sha256,
    )


def _orders_to_export(
    *, since: datetime.datetime | None, until: datetime.datetime | None, office: Office | None
) -> list[InboundInvoice]:
    """The payment orders not exported yet, locked, oldest order first."""
    orders = InboundInvoice.objects.select_for_update().filter(
        status=InboundInvoice.Status.ACCEPTED,
        state=InboundInvoice.State.PAYMENT_ORDERED,
        payment_export__isnull=True,
    )
    if since is not None:
        orders = orders.filter(payment_ordered_at__gte=since)
    if until is not None:
        orders = orders.filter(payment_ordered_at__lt=until)
    if office is not None:
        orders = orders.filter(office=office)
    rows = list(orders.order_by("payment_ordered_at", "pk"))
    if not rows:
        return []
    # Related rows are read after the lock (select_for_update cannot lock the outer side of joins).
    return list(
        InboundInvoice.objects.filter(pk__in=[r.pk for r in rows])
        .select_related(
            "office", "blob", "factual_approved_by", "arithmetic_approved_by", "payment_ordered_by"
        )
        .order_by("payment_ordered_at", "pk")
    )


def _export_audit(
    export: PaymentExport, invoices: list[InboundInvoice], by: Staff, run: dict[str, Any]
) -> None:
    for invoice in invoices:
        audit.record(
            actor=by,
            action="einvoice.export",
            target=invoice,
            details={"from": State.PAYMENT_ORDERED.value, "to": State.EXPORTED.value, "export": export.pk},
        )
    assert export.blob is not None
    audit.record(
        actor=by,
        action="einvoice.payment_exported",
        target=export,
        details={
            "count": export.count,
            "total": export.total,
            "format": export.format,
            "sha256": export.blob.sha256,
            **run,
            "invoices": [i.pk for i in invoices],
        },
    )


@transaction.atomic
def payment_export_create(
    *,
    by: Staff = None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    office: Office | None = None,
) -> PaymentExport | None:
    """Export the payment orders not exported yet (ordered in [since, until)) as one HKR file.

    Returns None when there is nothing to export. Every exported invoice moves to ``exported``
    and points to this export, so a second run never exports it again. ``office`` limits the run
    to one authority (the staff download); without it all authorities are exported (the command).
    """
    if by is not None and office is not None and not may_work_on(by, office.pk):
        raise NotFound("Diese Dienststelle gibt es nicht oder Sie dürfen für sie nicht exportieren.")
    invoices = _orders_to_export(since=since, until=until, office=office)
    if not invoices:
        return None
    for invoice in invoices:
        apply(workflow_of(invoice), Action.EXPORT, actor=actor_id(by))
    export = PaymentExport.objects.create(
        created_by=by,
        office=office,
        since=since,
        until=until,
        format=hkr.FORMAT,
        count=len(invoices),
        total=sum((i.amount_due or Decimal("0") for i in invoices), Decimal("0")),
    )
    content = hkr.to_csv((_order(i) for i in invoices), export_nr=export.pk)
    export.blob = blobs.store(content=content, filename=export.filename, max_bytes=200 * 1024 * 1024)
    export.save(update_fields=["blob"])
    InboundInvoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        state=InboundInvoice.State.EXPORTED, payment_export=export, version=F("version") + 1
    )
    run = {"office": office.pk if office else None, "since": since, "until": until}
    _export_audit(export, invoices, by, run)
    return export


@transaction.atomic
def original_downloaded(*, invoice: InboundInvoice, by: User) -> None:
    """Record a download of the original document by staff."""
    audit.record(actor=by, action="einvoice.original_downloaded", target=invoice)


@transaction.atomic
def payment_export_downloaded(*, export: PaymentExport, by: User) -> None:
    """Record a download of an export file (the file leaves the system)."""
    audit.record(actor=by, action="einvoice.payment_export_downloaded", target=export)
