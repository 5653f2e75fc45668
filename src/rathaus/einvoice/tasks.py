"""Background tasks of the e-invoice platform (run by ``rathaus worker``; immediately in tests).

- ``invoice_after_intake``: what follows the intake of one invoice, off the supplier's request:
  an accepted invoice is filed as a case of its office in the E-Akte (case, original document,
  search index, audit), and the supplier gets the receipt or rejection notice by e-mail. The
  intake enqueues it in its own transaction, so it exists exactly when the invoice does; it is
  keyed by the invoice and idempotent (a filed invoice is not filed again, a notice is sent once
  per invoice and event), retried 5 times, 1, 2, 4, 8, 16 minutes apart.

``services`` enqueues it by dotted path, so this module imports the services and not the other
way round.
"""

from __future__ import annotations

from rathaus.kernel.tasks import rathaus_task

from . import workflow
from .models import InboundInvoice

AFTER_INTAKE = "rathaus.einvoice.tasks.invoice_after_intake"


def after_intake_key(invoice_id: int) -> str:
    return f"einvoice-after-intake:{invoice_id}"


@rathaus_task(retries=5, backoff_seconds=60)
def invoice_after_intake(*, invoice_id: int) -> None:
    after_intake_run(invoice_id=invoice_id)


def after_intake_run(*, invoice_id: int) -> None:
    """The body of ``invoice_after_intake``: file an accepted invoice, send the notice."""
    invoice = (
        InboundInvoice.objects.select_related("office", "blob", "submitted_by", "case")
        .filter(pk=invoice_id)
        .first()
    )
    if invoice is None:  # the intake's transaction rolled back after all: nothing to do
        return
    if invoice.status == InboundInvoice.Status.ACCEPTED:
        workflow.invoice_file(invoice=invoice)
    workflow.notify_supplier(invoice=invoice, event=invoice.status)
