"""Reads of inbound e-invoices."""

from __future__ import annotations

from rathaus.accounts.models import Organisation

from .models import InboundInvoice


def invoice_for_sender(*, invoice_id: int, sender: Organisation) -> InboundInvoice | None:
    """The invoice if ``sender`` submitted it, else None (other suppliers' invoices are invisible)."""
    return InboundInvoice.objects.filter(pk=invoice_id, sender=sender).first()
