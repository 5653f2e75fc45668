"""Writes of the e-invoice workflow at the receiving authority (the services beside ``services.py``).

``services.py`` receives invoices; this package holds everything after acceptance, each use case
one function with keyword-only arguments, one transaction and its audit entry inside, by
responsibility:

* ``routes``: the routing table, ``route_create``, ``route_update``, ``route_validate``
  (``selectors.route_for`` reads it);
* ``filing``: filing in the E-Akte, ``invoice_file`` (called for every accepted invoice by the
  background task ``einvoice.tasks.invoice_after_intake`` that ``invoice_receive`` enqueues);
* ``approval``: the checks and the payment order, ``invoice_approve_factual``,
  ``invoice_approve_arithmetic``, ``invoice_order_payment``, ``invoice_decline``,
  ``invoice_mark_paid`` — the state machine is ``rathaus.domain.einvoice.workflow``; four-eyes is
  enforced there and by a database check;
* ``export``: the HKR payment run, ``payment_export_create`` (idempotent: exported orders are
  marked), and the audited downloads ``original_downloaded``, ``payment_export_downloaded``;
* ``notices``: supplier notices, ``notify_supplier`` (e-mail after commit, ``kernel.notify``).

Optimistic locking: every workflow write takes ``expected_version`` (the ``version`` the form
showed); a stale or repeated submission (double click, a colleague was faster) raises
``StaleInvoice`` and changes nothing. Import from this package, not from its modules.
"""

from __future__ import annotations

from ..selectors import may_work_on
from .approval import (
    invoice_approve_arithmetic,
    invoice_approve_factual,
    invoice_decline,
    invoice_mark_paid,
    invoice_order_payment,
)
from .common import StaleInvoice, WorkflowRefused
from .export import original_downloaded, payment_export_create, payment_export_downloaded
from .filing import DEFAULT_FILE_PLAN, invoice_file
from .notices import notify_supplier
from .routes import route_create, route_update, route_validate

__all__ = [
    "DEFAULT_FILE_PLAN",
    "StaleInvoice",
    "WorkflowRefused",
    "invoice_approve_arithmetic",
    "invoice_approve_factual",
    "invoice_decline",
    "invoice_file",
    "invoice_mark_paid",
    "invoice_order_payment",
    "may_work_on",
    "notify_supplier",
    "original_downloaded",
    "payment_export_create",
    "payment_export_downloaded",
    "route_create",
    "route_update",
    "route_validate",
]
