"""Reads of inbound e-invoices."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from rathaus.accounts.selectors import working_offices
from rathaus.accounts.types import Organisation, User
from rathaus.directory.types import Office
from rathaus.domain.einvoice.routing import Route, candidate_prefixes, choose_route
from rathaus.efile import selectors as efile_selectors
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound
from rathaus.kernel.models import AuditEntry

from .models import InboundInvoice, LeitwegRoute, PaymentExport

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


def invoice_offices(user: User) -> QuerySet[Office]:
    """The offices whose invoices ``user`` works on (clerks and heads of office)."""
    return working_offices(user)


def may_work_on(user: User, office_id: int | None) -> bool:
    """Whether ``user`` works on the invoices of office ``office_id`` (clerk or head of office)."""
    if office_id is None or not isinstance(user, User) or user.kind != User.Kind.STAFF or not user.is_active:
        return False
    return working_offices(user).filter(pk=office_id).exists()


@dataclass(frozen=True)
class InvoicePage:
    invoices: list[InboundInvoice]
    next_before: int | None


def office_invoices(
    *,
    office: Office,
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


def invoice_for_staff(*, invoice_id: int, user: User) -> InboundInvoice:
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


@dataclass(frozen=True)
class OriginalText:
    """Whether the text of the filed original could be read (a scanned PDF goes through OCR)."""

    label: str
    found: bool
    detail: str = ""


def original_text(invoice: InboundInvoice) -> OriginalText | None:
    """The text status of the invoice's original in the E-Akte when it went through OCR or has
    no text; None for an original with its own text or one not filed.

    OCR that ends without a single character is "kein Text gefunden", never a success.
    """
    if invoice.case is None:
        return None
    documents = efile_selectors.case_documents(invoice.case)
    if not documents:
        return None
    document, versions = documents[0]
    text = versions[-1].text.strip() if versions else ""
    if document.ocr_status == "pending":
        return OriginalText(_("Texterkennung läuft"), found=False)
    if document.ocr_status == "failed" and not document.ocr_error.startswith("Kein Text gefunden"):
        return OriginalText(_("Texterkennung fehlgeschlagen"), found=False, detail=document.ocr_error)
    if document.ocr_status == "failed" or not text:
        detail = _(
            "Die Texterkennung hat auf den Seiten keinen Text erkannt; maßgeblich ist die "
            "eingebettete E-Rechnung (siehe „Rechnung“)."
        )
        return OriginalText(_("Kein Text gefunden"), found=False, detail=detail)
    if document.ocr_status == "done":
        return OriginalText(_("Text erkannt (Texterkennung)"), found=True)
    return None  # an XML original or a PDF with a text layer: nothing to say


def invoice_history(invoice: InboundInvoice) -> QuerySet[AuditEntry]:
    """The invoice's steps (its audit entries without staff reads of the page), oldest first."""
    return audit.entries_for_target("einvoice.inboundinvoice", invoice.pk).exclude(action__endswith=".read")


def payment_exports(*, office: Office, limit: int = 20) -> QuerySet[PaymentExport]:
    """The office's own export runs, newest first."""
    return PaymentExport.objects.filter(office=office).order_by("-created_at", "-pk")[:limit]


def payment_export_for_staff(*, export_id: int, user: User) -> PaymentExport:
    """An export run of an office ``user`` works for; ``NotFound`` (and access.denied) otherwise."""
    export = PaymentExport.objects.select_related("blob").filter(pk=export_id).first()
    if export is None or not may_work_on(user, export.office_id):
        if export is not None:
            audit.record_denied(
                actor=user, target_type="einvoice.paymentexport", target_id=export_id, reason="other office"
            )
        raise NotFound("Diesen Export gibt es nicht oder Sie dürfen ihn nicht sehen.")
    return export


def orders_waiting_for_export(*, office: Office) -> int:
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


def invoices_awaiting_count(*, user: User) -> int:
    """How many invoices of ``user``'s offices wait for a step ``user`` may take: a check not
    yet made (the four-eyes rule leaves out the check of someone who made the other one), or
    the payment order after both checks."""
    offices = invoice_offices(user)
    rows = InboundInvoice.objects.filter(office__in=offices, status=InboundInvoice.Status.ACCEPTED)
    State = InboundInvoice.State
    return rows.filter(
        Q(state=State.ACCEPTED)
        | Q(state=State.APPROVED)
        | (Q(state=State.FACTUALLY_APPROVED) & ~Q(factual_approved_by=user))
        | (Q(state=State.ARITHMETICALLY_APPROVED) & ~Q(arithmetic_approved_by=user))
    ).count()
