"""The readable view of an inbound invoice: who may see it, its content, and the audit of staff reads.

Two kinds of readers: the organisation that submitted the invoice (its own invoices, accepted or
rejected) and staff of the receiving office (accepted invoices of their office, through the
workflow's ``selectors.invoice_for_staff``). A staff read is personal data processing (sellers may
be sole traders) and is audited with its purpose.

Public surface: ``invoice_for_reader``, ``invoice_document``, ``staff_read_record``,
``invoices_of_organisation``, ``ReadableInvoice``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from rathaus.accounts.types import Organisation, User
from rathaus.domain.einvoice import InvoiceRejected, extract_hybrid_xml, is_pdf, parse_secure
from rathaus.domain.einvoice.document import InvoiceDocument, read_invoice_document
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import NotFound

from . import selectors
from .models import InboundInvoice

READ_PURPOSE = "Prüfung und Bearbeitung einer Eingangsrechnung"
READ_LEGAL_BASIS = "Art. 6 Abs. 1 lit. c und e DSGVO i. V. m. § 14 UStG und dem Haushaltsrecht (LHO)"


@dataclass(frozen=True)
class ReadableInvoice:
    invoice: InboundInvoice
    document: InvoiceDocument | None  # None when the stored bytes hold no readable invoice
    problem: str = ""


def _is_staff(user: User) -> bool:
    return user.kind == User.Kind.STAFF and bool(getattr(user, "is_verified", lambda: False)())


def invoice_for_reader(*, invoice_id: int, user: User) -> InboundInvoice:
    """The invoice if ``user`` may read it (its organisation, or staff of its office), else ``NotFound``."""
    if user.kind == User.Kind.ORGANISATION and user.organisation_id is not None:
        invoice = (
            InboundInvoice.objects.select_related("office", "blob")
            .filter(pk=invoice_id, sender_id=user.organisation_id)
            .first()
        )
        if invoice is None:
            if InboundInvoice.objects.filter(pk=invoice_id).exists():
                audit.record_denied(
                    actor=user,
                    target_type="einvoice.inboundinvoice",
                    target_id=invoice_id,
                    reason="other sender",
                )
            raise NotFound(
                "Diese Rechnung gibt es nicht oder sie wurde von einer anderen Organisation eingereicht."
            )
        return invoice
    if _is_staff(user):
        return selectors.invoice_for_staff(invoice_id=invoice_id, user=user)
    raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht sehen.")


def invoices_of_organisation(*, organisation: Organisation, limit: int = 200) -> QuerySet[InboundInvoice]:
    """The organisation's submitted invoices, newest first (at most ``limit``)."""
    return (
        InboundInvoice.objects.filter(sender=organisation)
        .select_related("office")
        .order_by("-received_at", "-pk")[:limit]
    )


def invoice_xml(invoice: InboundInvoice) -> bytes | None:
    """The XML of the stored original (the embedded XML for a hybrid PDF), or None."""
    content = blobs.read_bytes(invoice.blob)
    if not is_pdf(content):
        return content
    try:
        return extract_hybrid_xml(content).xml
    except InvoiceRejected:
        return None


def invoice_document(invoice: InboundInvoice) -> ReadableInvoice:
    """The invoice's content for display; a rejected document may be unreadable (then ``problem``)."""
    xml = invoice_xml(invoice)
    if xml is None:
        return ReadableInvoice(invoice, None, "Die PDF-Datei enthält keine lesbare E-Rechnung.")
    try:
        return ReadableInvoice(invoice, read_invoice_document(parse_secure(xml)))
    except (InvoiceRejected, ValueError) as exc:
        return ReadableInvoice(invoice, None, str(exc))


def staff_read_record(*, invoice: InboundInvoice, by: User, what: str) -> None:
    """Audit a staff member's read of an invoice (``what``: the view, the PDF, an attachment)."""
    if by.kind != User.Kind.STAFF:
        return  # the submitting organisation reads its own data
    audit.record_read(
        actor=by, subject=invoice, purpose=READ_PURPOSE, legal_basis=READ_LEGAL_BASIS, fields=(what,)
    )
