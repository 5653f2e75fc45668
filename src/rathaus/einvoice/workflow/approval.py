"""The checks and the payment order: the state machine of ``rathaus.domain.einvoice.workflow`` on rows.

Optimistic locking: every write takes ``expected_version`` (the ``version`` the form showed); a
stale or repeated submission (double click, a colleague was faster) raises ``StaleInvoice`` and
changes nothing. Four-eyes is enforced by the domain and by a database check.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.domain.einvoice.workflow import Action, State, TransitionRefused, Workflow, apply
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from ..models import InboundInvoice
from ..selectors import may_work_on
from .common import Staff, StaleInvoice, WorkflowRefused, actor_id
from .filing import case_close
from .notices import notify_supplier


def _locked(invoice: InboundInvoice, expected_version: int | None, by: Staff) -> InboundInvoice:
    current = InboundInvoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if current is None or current.status != InboundInvoice.Status.ACCEPTED:
        raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht bearbeiten.")
    if by is not None and not may_work_on(by, current.office_id):
        raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht bearbeiten.")
    if expected_version is not None and current.version != expected_version:
        raise StaleInvoice()
    return current


def workflow_of(invoice: InboundInvoice) -> Workflow:
    """The domain's view of the invoice's workflow facts."""

    def who(user_id: int | None) -> str | None:
        return str(user_id) if user_id is not None else None

    return Workflow(
        state=State(invoice.state),
        factual_by=who(invoice.factual_approved_by_id),
        arithmetic_by=who(invoice.arithmetic_approved_by_id),
        ordered_by=who(invoice.payment_ordered_by_id),
        declined_by=who(invoice.declined_by_id),
        decline_reason=invoice.decline_reason,
    )


def _stamp(invoice: InboundInvoice, action: Action, after: Workflow, by: Staff) -> list[str]:
    """Set who did ``action`` and when; the names of the fields that changed besides the state."""
    now = timezone.now()
    if action is Action.APPROVE_FACTUAL:
        invoice.factual_approved_by, invoice.factual_approved_at = by, now
        return ["factual_approved_by", "factual_approved_at"]
    if action is Action.APPROVE_ARITHMETIC:
        invoice.arithmetic_approved_by, invoice.arithmetic_approved_at = by, now
        return ["arithmetic_approved_by", "arithmetic_approved_at"]
    if action is Action.ORDER_PAYMENT:
        invoice.payment_ordered_by, invoice.payment_ordered_at = by, now
        return ["payment_ordered_by", "payment_ordered_at"]
    if action is Action.DECLINE:
        invoice.declined_by, invoice.declined_at, invoice.decline_reason = by, now, after.decline_reason
        return ["declined_by", "declined_at", "decline_reason"]
    if action is Action.MARK_PAID:
        invoice.paid_at = now
        return ["paid_at"]
    return []


def _transition(
    *, invoice: InboundInvoice, action: Action, by: Staff, expected_version: int | None, reason: str = ""
) -> InboundInvoice:
    invoice = _locked(invoice, expected_version, by)
    try:
        after = apply(workflow_of(invoice), action, actor=actor_id(by), reason=reason)
    except TransitionRefused as exc:
        raise WorkflowRefused(exc.message, code=exc.code) from exc
    fields = ["state", "version", *_stamp(invoice, action, after, by)]
    before = invoice.state
    invoice.state = after.state.value
    invoice.version += 1
    invoice.save(update_fields=fields)
    details: dict[str, Any] = {"from": before, "to": invoice.state, "version": invoice.version}
    if reason.strip():
        details["reason"] = reason.strip()
    audit.record(actor=by, action=f"einvoice.{action.value}", target=invoice, details=details)
    return invoice


@transaction.atomic
def invoice_approve_factual(
    *, invoice: InboundInvoice, by: Staff, expected_version: int | None = None
) -> InboundInvoice:
    """Establish the factual correctness (sachlich richtig); refused for the arithmetic approver."""
    return _transition(
        invoice=invoice, action=Action.APPROVE_FACTUAL, by=by, expected_version=expected_version
    )


@transaction.atomic
def invoice_approve_arithmetic(
    *, invoice: InboundInvoice, by: Staff, expected_version: int | None = None
) -> InboundInvoice:
    """Establish the arithmetic correctness (rechnerisch richtig); refused for the factual approver."""
    return _transition(
        invoice=invoice, action=Action.APPROVE_ARITHMETIC, by=by, expected_version=expected_version
    )


@transaction.atomic
def invoice_order_payment(
    *, invoice: InboundInvoice, by: Staff, expected_version: int | None = None
) -> InboundInvoice:
    """Order the payment (Anordnung, § 70 LHO) of an invoice with both checks; it waits for the export."""
    invoice = _transition(
        invoice=invoice, action=Action.ORDER_PAYMENT, by=by, expected_version=expected_version
    )
    notify_supplier(invoice=invoice, event="payment_ordered")
    return invoice


@transaction.atomic
def invoice_decline(
    *, invoice: InboundInvoice, by: Staff, reason: str, expected_version: int | None = None
) -> InboundInvoice:
    """Reject the invoice as the receiving authority (zurückweisen), with a reason for the supplier."""
    invoice = _transition(
        invoice=invoice, action=Action.DECLINE, by=by, expected_version=expected_version, reason=reason
    )
    notify_supplier(invoice=invoice, event="declined")
    case_close(invoice, by)
    return invoice


@transaction.atomic
def invoice_mark_paid(
    *, invoice: InboundInvoice, by: Staff, expected_version: int | None = None
) -> InboundInvoice:
    """Record the payment the cash office reported for an exported order; closes the E-Akte case."""
    invoice = _transition(invoice=invoice, action=Action.MARK_PAID, by=by, expected_version=expected_version)
    notify_supplier(invoice=invoice, event="paid")
    case_close(invoice, by)
    return invoice
