"""Filing in the E-Akte: every accepted invoice becomes a case of its office, with the original."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from rathaus.directory.types import Office
from rathaus.efile import services as efile_services
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import RathausError

from .. import display
from ..models import InboundInvoice
from .common import Staff

if TYPE_CHECKING:
    from rathaus.efile.types import FilePlanEntry

logger = logging.getLogger(__name__)

# File plan entry for invoices (the demo plan's "20.30 Rechnungseingang").
DEFAULT_FILE_PLAN = ("20", "Finanzen", "20.30", "Rechnungseingang")


def _file_plan_entry(office: Office) -> FilePlanEntry:
    top_number, top_title, number, title = getattr(settings, "EINVOICE_FILE_PLAN", DEFAULT_FILE_PLAN)
    return efile_services.file_plan_entry_ensure(
        office=office, number=number, title=title, parent_number=top_number, parent_title=top_title
    )


def _intake(by: Staff) -> audit.ActorLike:
    return by or audit.Actor.system("E-Rechnungseingang")


def invoice_file(*, invoice: InboundInvoice, by: Staff = None) -> InboundInvoice:
    """File an accepted invoice as a case of its office in the E-Akte, with the original document.

    The case subject names the seller, number and amount; the document is the original bytes
    (XML or hybrid PDF). A failure of the E-Akte is logged and audited and does not undo the
    acceptance: the invoice stays in the authority's inbox without a case, and staff (``by``)
    can file it again from the invoice page.
    """
    if invoice.case_id is not None or invoice.office is None:
        return invoice
    office = invoice.office
    try:
        with transaction.atomic():
            # The background task and a clerk's "Jetzt ablegen" may meet: the row lock lets one file.
            filed = InboundInvoice.objects.select_for_update().filter(pk=invoice.pk).values_list("case_id")
            if (case_id := filed.get()[0]) is not None:
                invoice.case_id = case_id
                return invoice
            amount = display.money(invoice.total_with_vat or 0, invoice.currency, language="de")
            case = efile_services.case_create(
                office=office,
                subject=f"E-Rechnung {invoice.invoice_number} – {invoice.seller_name} – {amount}",
                file_plan_entry=_file_plan_entry(office),
                source="einvoice",
            )
            pdf = invoice.blob.content_type == "application/pdf"
            efile_services.document_add(
                case=case,
                title=f"Rechnung {invoice.invoice_number} (Original)",
                content=blobs.read_bytes(invoice.blob),
                filename=f"rechnung-{invoice.pk}.{'pdf' if pdf else 'xml'}",
                by=None,
            )
            InboundInvoice.objects.filter(pk=invoice.pk).update(case=case)
            invoice.case = case
            audit.record(
                actor=_intake(by),
                action="einvoice.filed",
                target=invoice,
                details={"case": case.pk, "aktenzeichen": case.case_file.aktenzeichen},
            )
    except RathausError as exc:
        logger.warning("E-Rechnung %s nicht in der E-Akte abgelegt: %s", invoice.pk, exc)
        audit.record(
            actor=_intake(by),
            action="einvoice.filing_failed",
            target=invoice,
            details={"error": str(exc)[:500]},
        )
    return invoice


def case_close(invoice: InboundInvoice, by: Staff) -> None:
    """Close the invoice's E-Akte case once nothing more happens to it (a failure is only logged)."""
    if invoice.case is None or invoice.case.is_closed:
        return
    try:
        with transaction.atomic():
            efile_services.case_close(case=invoice.case, by=by)
    except RathausError as exc:
        logger.warning("Vorgang der E-Rechnung %s nicht abgeschlossen: %s", invoice.pk, exc)
