"""Reads of inbound e-invoices."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from rathaus.accounts.models import Organisation
from rathaus.accounts.selectors import working_offices
from rathaus.domain.einvoice.routing import Route, candidate_prefixes, choose_route
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from .models import InboundInvoice, LeitwegRoute, PaymentExport
from .workflow import may_work_on

# Workflow states in which an invoice needs nothing more from the authority.
DONE_STATES = ("exported", "paid", "declined")


def invoice_for_sender(*, invoice_id: int, sender: Organisation) -> InboundInvoice | None:
    """The invoice if ``sender`` submitted it, else None (other suppliers' invoices are invisible)."""
    return InboundInvoice.objects.filter(pk=invoice_id, sender=sender).first()


# --- Routing table and the authorities' inbox (workflow) ------------------------------------

INBOX_PAGE_SIZE = 50


def route_for(*, leitweg_id: str, on: datetime.date) -> LeitwegRoute | None:
    """The routing-table line that receives ``leitweg_id`` on day ``on`` (exact before longest prefix)."""
    leitweg_id = leitweg_id.strip().upper()
    rows = {
        row.pk: row
        for row in LeitwegRoute.objects.select_related("office").filter(
            Q(match=LeitwegRoute.Match.EXACT, pattern=leitweg_id)
            | Q(match=LeitwegRoute.Match.PREFIX, pattern__in=candidate_prefixes(leitweg_id))
        )
    }
    chosen = choose_route(
        leitweg_id,
        (
            Route(r.pk, r.pattern, "exact" if r.match == "exact" else "prefix", r.valid_from, r.valid_until)
            for r in rows.values()
        ),
        on=on,
    )
    return rows[chosen.key] if chosen else None


def invoice_offices(user: Any) -> QuerySet[Any]:
    """The offices whose invoices ``user`` works on (clerks and heads of office)."""
    return working_offices(user)


@dataclass(frozen=True)
class InvoicePage:
    invoices: list[InboundInvoice]
    next_before: int | None


def office_invoices(
    *,
    office: Any,
    state: str | None = None,
    query: str = "",
    before: int | None = None,
    size: int = INBOX_PAGE_SIZE,
) -> InvoicePage:
    """An office's accepted invoices, newest first; without ``state`` those still to be handled
    (not exported, paid or declined). ``query`` filters by invoice number or seller name."""
    rows = InboundInvoice.objects.filter(office=office, status=InboundInvoice.Status.ACCEPTED)
    rows = rows.filter(state=state) if state else rows.exclude(state__in=DONE_STATES)
    if query:
        rows = rows.filter(Q(invoice_number__icontains=query) | Q(seller_name__icontains=query))
    if before is not None:
        rows = rows.filter(id__lt=before)
    found = list(rows.order_by("-id")[: size + 1])
    more = len(found) > size
    found = found[:size]
    return InvoicePage(invoices=found, next_before=found[-1].pk if more and found else None)


def invoice_for_staff(*, invoice_id: int, user: Any) -> InboundInvoice:
    """An accepted invoice for staff of its office; ``NotFound`` (and access.denied) for others."""
    invoice = (
        InboundInvoice.objects.select_related(
            "office",
            "sender",
            "blob",
            "case__case_file",
            "route",
            "factual_approved_by",
            "arithmetic_approved_by",
            "payment_ordered_by",
            "declined_by",
            "payment_export",
        )
        .filter(pk=invoice_id, status=InboundInvoice.Status.ACCEPTED)
        .first()
    )
    if invoice is None or not may_work_on(user, invoice.office_id):
        if invoice is not None:
            audit.record_denied(
                actor=user, target_type="einvoice.inboundinvoice", target_id=invoice_id, reason="other office"
            )
        raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht sehen.")
    return invoice


def invoice_history(invoice: InboundInvoice) -> QuerySet[Any]:
    """The invoice's audit entries, oldest first."""
    return audit.entries_for_target("einvoice.inboundinvoice", invoice.pk)


def payment_exports(*, office: Any, limit: int = 20) -> QuerySet[PaymentExport]:
    """The office's own export runs, newest first."""
    return PaymentExport.objects.filter(office=office).order_by("-created_at", "-pk")[:limit]


def payment_export_for_staff(*, export_id: int, user: Any) -> PaymentExport:
    """An export run of an office ``user`` works for; ``NotFound`` (and access.denied) otherwise."""
    export = PaymentExport.objects.select_related("blob").filter(pk=export_id).first()
    if export is None or not may_work_on(user, export.office_id):
        if export is not None:
            audit.record_denied(
                actor=user, target_type="einvoice.paymentexport", target_id=export_id, reason="other office"
            )
        raise NotFound("Diesen Export gibt es nicht oder Sie dürfen ihn nicht sehen.")
    return export


def orders_waiting_for_export(*, office: Any) -> int:
    return InboundInvoice.objects.filter(
        office=office, state=InboundInvoice.State.PAYMENT_ORDERED, payment_export__isnull=True
    ).count()


def routes(*, query: str = "") -> QuerySet[LeitwegRoute]:
    """The routing table, by pattern (newest validity first); ``query`` filters pattern or office."""
    rows = LeitwegRoute.objects.select_related("office")
    if query.strip():
        rows = rows.filter(Q(pattern__icontains=query.strip()) | Q(office__name__icontains=query.strip()))
    return rows.order_by("pattern", "-valid_from")


def route_by_id(*, route_id: int) -> LeitwegRoute | None:
    return LeitwegRoute.objects.select_related("office").filter(pk=route_id).first()
