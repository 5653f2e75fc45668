"""Writes of the e-invoice workflow at the receiving authority (the services beside ``services.py``).

``services.py`` receives invoices; this module holds everything after acceptance, each use case one
function with keyword-only arguments, one transaction and its audit entry inside:

* the routing table: ``route_create``, ``route_update`` (``selectors.route_for`` reads it);
* filing in the E-Akte: ``invoice_file`` (called by ``invoice_receive`` for every accepted invoice);
* the checks and the payment order: ``invoice_approve_factual``, ``invoice_approve_arithmetic``,
  ``invoice_order_payment``, ``invoice_decline``, ``invoice_mark_paid`` — the state machine is
  ``rathaus.domain.einvoice.workflow``; four-eyes is enforced there and by a database check;
* the HKR payment export: ``payment_export_create`` (idempotent: exported orders are marked);
* supplier notices: ``notify_supplier`` (e-mail after commit, ``kernel.notify``).

Optimistic locking: every workflow write takes ``expected_version`` (the ``version`` the form
showed); a stale or repeated submission (double click, a colleague was faster) raises
``StaleInvoice`` and changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from rathaus.accounts.selectors import WORKING_ROLES
from rathaus.accounts.types import StaffRole, User
from rathaus.directory.types import Office
from rathaus.domain.einvoice import hkr
from rathaus.domain.einvoice.explain import short_location
from rathaus.domain.einvoice.routing import RoutePatternInvalid, check_prefix
from rathaus.domain.einvoice.workflow import Action, State, TransitionRefused, Workflow, apply
from rathaus.domain.registers.leitweg_id import InvalidLeitwegId, validate_leitweg_id
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound, RathausError

from . import display
from .models import InboundInvoice, LeitwegRoute, PaymentExport

__all__ = [
    "StaleInvoice",
    "WorkflowRefused",
    "invoice_approve_arithmetic",
    "invoice_approve_factual",
    "invoice_decline",
    "invoice_file",
    "invoice_mark_paid",
    "invoice_order_payment",
    "notify_supplier",
    "payment_export_create",
    "route_create",
    "route_update",
    "route_validate",
]

logger = logging.getLogger(__name__)

# Roles that work on an office's invoices (its administrators manage logins, not invoices).
# File plan entry for invoices (the demo plan's "20.30 Rechnungseingang").
DEFAULT_FILE_PLAN = ("20", "Finanzen", "20.30", "Rechnungseingang")


class StaleInvoice(Conflict):
    default_code = "invoice_changed"
    default_message = (
        "Die Rechnung wurde inzwischen von jemand anderem bearbeitet. Bitte prüfen Sie den "
        "aktuellen Stand; Ihre Aktion wurde nicht ausgeführt."
    )


class WorkflowRefused(Conflict):
    default_code = "workflow_refused"


# --- Routing table -------------------------------------------------------------------------


def _pattern(pattern: str, match: str) -> str:
    try:
        if match == LeitwegRoute.Match.EXACT:
            return validate_leitweg_id(pattern)
        if match == LeitwegRoute.Match.PREFIX:
            return check_prefix(pattern)
    except (InvalidLeitwegId, RoutePatternInvalid) as exc:
        raise InvalidInput(str(exc), code="route_pattern") from exc
    raise InvalidInput(f"Unbekannte Vergleichsart: {match}", code="route_match")


def _check_validity(
    *,
    pattern: str,
    match: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude: int | None,
) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput("„Gültig bis“ liegt vor „gültig ab“.", code="route_validity")
    # Serialise edits of one pattern (SQLite's IMMEDIATE transaction already does).
    same = LeitwegRoute.objects.select_for_update().filter(pattern=pattern, match=match)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    overlapping = same.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_until)
    clash = overlapping.select_related("office").first()
    if clash is not None:
        raise Conflict(
            f"Für „{pattern}“ gilt in diesem Zeitraum schon eine Route (an {clash.office.name}, "
            f"ab {clash.valid_from:%d.%m.%Y}); bitte beenden Sie diese zuerst.",
            code="route_overlap",
        )


def route_validate(
    *,
    pattern: str,
    match: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude: int | None = None,
) -> str:
    """The normalised pattern, or ``InvalidInput``/``Conflict`` as ``route_create`` would raise."""
    pattern = _pattern(pattern, match)
    _check_validity(
        pattern=pattern, match=match, valid_from=valid_from, valid_until=valid_until, exclude=exclude
    )
    return pattern


def _route_details(route: LeitwegRoute) -> dict[str, Any]:
    return {
        "pattern": route.pattern,
        "match": route.match,
        "office": route.office_id,
        "valid_from": route.valid_from,
        "valid_until": route.valid_until,
        "note": route.note,
    }


@transaction.atomic
def route_create(
    *,
    pattern: str,
    match: str,
    office: Office,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    note: str = "",
    by: Any = None,
) -> LeitwegRoute:
    """Add a line to the routing table: ``pattern`` (a Leitweg-ID or its beginning) → ``office``."""
    pattern = _pattern(pattern, match)
    _check_validity(
        pattern=pattern, match=match, valid_from=valid_from, valid_until=valid_until, exclude=None
    )
    route = LeitwegRoute.objects.create(
        pattern=pattern,
        match=match,
        office=office,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note.strip()[:300],
        created_by=by if isinstance(by, User) else None,
    )
    audit.record(actor=by, action="einvoice.route_created", target=route, details=_route_details(route))
    return route


@transaction.atomic
def route_update(
    *,
    route: LeitwegRoute,
    office: Office,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    note: str = "",
    by: Any = None,
) -> LeitwegRoute:
    """Change a route's authority, validity or note (the pattern stays; add a new route for another)."""
    route = LeitwegRoute.objects.select_for_update().get(pk=route.pk)
    before = _route_details(route)
    _check_validity(
        pattern=route.pattern,
        match=route.match,
        valid_from=valid_from,
        valid_until=valid_until,
        exclude=route.pk,
    )
    route.office = office
    route.valid_from = valid_from
    route.valid_until = valid_until
    route.note = note.strip()[:300]
    route.save(update_fields=["office", "valid_from", "valid_until", "note"])
    audit.record(
        actor=by,
        action="einvoice.route_changed",
        target=route,
        details={"before": before, "after": _route_details(route)},
    )
    return route


# --- Filing in the E-Akte ------------------------------------------------------------------


def _file_plan_entry(office: Office) -> Any:
    from rathaus.efile import selectors as efile_selectors
    from rathaus.efile import services as efile_services

    top_number, top_title, number, title = getattr(settings, "EINVOICE_FILE_PLAN", DEFAULT_FILE_PLAN)
    entry = efile_selectors.file_plan_entry_for_office(number=number, office=office)
    if entry is not None:
        return entry
    top = efile_selectors.file_plan_entry_for_office(number=top_number, office=None)
    if top is None:
        top = efile_services.file_plan_entry_create(
            number=top_number, title=top_title, retention_years=10, files_allowed=False
        )
    return efile_services.file_plan_entry_create(number=number, title=title, parent=top)


def invoice_file(*, invoice: InboundInvoice, by: Any = None) -> InboundInvoice:
    """File an accepted invoice as a case of its office in the E-Akte, with the original document.

    The case subject names the seller, number and amount; the document is the original bytes
    (XML or hybrid PDF). A failure of the E-Akte is logged and audited and does not undo the
    acceptance: the invoice stays in the authority's inbox without a case, and staff (``by``)
    can file it again from the invoice page.
    """
    from rathaus.efile import services as efile_services

    if invoice.case_id is not None or invoice.office is None:
        return invoice
    try:
        with transaction.atomic():
            amount = display.money(invoice.total_with_vat or 0, invoice.currency, language="de")
            case = efile_services.case_create(
                office=invoice.office,
                subject=f"E-Rechnung {invoice.invoice_number} – {invoice.seller_name} – {amount}",
                file_plan_entry=_file_plan_entry(invoice.office),
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
                actor=by or audit.Actor.system("E-Rechnungseingang"),
                action="einvoice.filed",
                target=invoice,
                details={"case": case.pk, "aktenzeichen": case.case_file.aktenzeichen},
            )
    except RathausError as exc:
        logger.warning("E-Rechnung %s nicht in der E-Akte abgelegt: %s", invoice.pk, exc)
        audit.record(
            actor=by or audit.Actor.system("E-Rechnungseingang"),
            action="einvoice.filing_failed",
            target=invoice,
            details={"error": str(exc)[:500]},
        )
    return invoice


# --- Supplier notices ----------------------------------------------------------------------

_NOTICE_SUBJECTS = {
    "accepted": "E-Rechnung {number}: eingegangen",
    "rejected": "E-Rechnung {number}: abgelehnt",
    "declined": "E-Rechnung {number}: zurückgewiesen",
    "payment_ordered": "E-Rechnung {number}: geprüft und zur Zahlung angewiesen",
    "paid": "E-Rechnung {number}: bezahlt",
}


def _notice_body(invoice: InboundInvoice, event: str) -> str:
    lines = ["Guten Tag,", ""]
    number = invoice.invoice_number or "(ohne Nummer)"
    if event == "accepted":
        lines.append(
            f"Ihre Rechnung {number} ist am {timezone.localtime(invoice.received_at):%d.%m.%Y um %H:%M} Uhr "
            f"eingegangen, entspricht den Regeln für XRechnung und wurde an "
            f"{invoice.office.name if invoice.office else 'den Rechnungsempfänger'} weitergeleitet."
        )
    elif event == "rejected":
        lines.append(
            "Ihr Dokument konnte nicht als E-Rechnung angenommen werden. Es verstößt gegen folgende "
            "Regeln (Regelwerk: " + (invoice.rule_set_version or "–") + "):"
        )
        lines.append("")
        findings = [f for f in invoice.validation_report.get("findings", []) if f.get("severity") == "error"]
        for finding in findings[:50]:
            where = f" (Stelle: {short_location(finding['location'])})" if finding.get("location") else ""
            message = display.finding_message(finding.get("message", ""))
            lines.append(f"- {message} (Regel {finding.get('rule')}){where}")
        if not findings:
            lines.append(f"- {invoice.rejection_reason} (Regel {', '.join(invoice.rejection_rules)})")
        lines += ["", "Bitte korrigieren Sie die Rechnung und senden Sie sie erneut."]
    elif event == "declined":
        lines += [
            f"{invoice.office.name if invoice.office else 'Der Rechnungsempfänger'} hat Ihre Rechnung "
            f"{number} zurückgewiesen. Begründung:",
            "",
            invoice.decline_reason,
        ]
    elif event == "payment_ordered":
        lines.append(
            f"Ihre Rechnung {number} wurde sachlich und rechnerisch geprüft und zur Zahlung angewiesen."
        )
    elif event == "paid":
        lines.append(f"Ihre Rechnung {number} wurde bezahlt.")
    lines += [
        "",
        f"Eingangsnummer: {invoice.pk}. Den aktuellen Stand sehen Sie auch über die API "
        f"(GET /api/v1/einvoices/{invoice.pk}).",
        "",
        "Diese E-Mail wurde automatisch versandt; bitte antworten Sie nicht darauf.",
    ]
    return "\n".join(lines) + "\n"


def notify_supplier(*, invoice: InboundInvoice, event: str) -> None:
    """E-mail the supplier about ``event`` after the transaction commits (once per invoice and event).

    The address is the submitting user's, else ``notice_email`` (set by the e-mail intake).
    Invoice notices carry no personal data of citizens, so the content goes in the e-mail.
    """
    address = (invoice.submitted_by.email if invoice.submitted_by else "") or invoice.notice_email
    if not address:
        return
    notify.business_email_send(
        to=address,
        subject=_NOTICE_SUBJECTS[event].format(number=invoice.invoice_number or invoice.pk),
        body=_notice_body(invoice, event),
        key=f"einvoice-notice:{invoice.pk}:{event}",
    )


# --- The workflow --------------------------------------------------------------------------


def may_work_on(user: Any, office_id: int | None) -> bool:
    """Whether ``user`` works on the invoices of office ``office_id`` (clerk or head of office)."""
    if office_id is None or not isinstance(user, User) or user.kind != User.Kind.STAFF or not user.is_active:
        return False
    return StaffRole.objects.filter(user=user, office_id=office_id, role__in=WORKING_ROLES).exists()


def _locked(invoice: InboundInvoice, expected_version: int | None, by: Any) -> InboundInvoice:
    current = InboundInvoice.objects.select_for_update().filter(pk=invoice.pk).first()
    if current is None or current.status != InboundInvoice.Status.ACCEPTED:
        raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht bearbeiten.")
    if by is not None and not may_work_on(by, current.office_id):
        raise NotFound("Diese Rechnung gibt es nicht oder Sie dürfen sie nicht bearbeiten.")
    if expected_version is not None and current.version != expected_version:
        raise StaleInvoice()
    return current


def _snapshot(invoice: InboundInvoice) -> Workflow:
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


def _transition(
    *, invoice: InboundInvoice, action: Action, by: Any, expected_version: int | None, reason: str = ""
) -> InboundInvoice:
    invoice = _locked(invoice, expected_version, by)
    actor = str(by.pk) if isinstance(by, User) else "system"
    try:
        after = apply(_snapshot(invoice), action, actor=actor, reason=reason)
    except TransitionRefused as exc:
        raise WorkflowRefused(exc.message, code=exc.code) from exc
    now = timezone.now()
    user = by if isinstance(by, User) else None
    fields = ["state", "version"]
    if action is Action.APPROVE_FACTUAL:
        invoice.factual_approved_by, invoice.factual_approved_at = user, now
        fields += ["factual_approved_by", "factual_approved_at"]
    elif action is Action.APPROVE_ARITHMETIC:
        invoice.arithmetic_approved_by, invoice.arithmetic_approved_at = user, now
        fields += ["arithmetic_approved_by", "arithmetic_approved_at"]
    elif action is Action.ORDER_PAYMENT:
        invoice.payment_ordered_by, invoice.payment_ordered_at = user, now
        fields += ["payment_ordered_by", "payment_ordered_at"]
    elif action is Action.DECLINE:
        invoice.declined_by, invoice.declined_at, invoice.decline_reason = user, now, after.decline_reason
        fields += ["declined_by", "declined_at", "decline_reason"]
    elif action is Action.MARK_PAID:
        invoice.paid_at = now
        fields.append("paid_at")
    before = invoice.state
    invoice.state = after.state.value
    invoice.version += 1
    invoice.save(update_fields=fields)
    details: dict[str, Any] = {"from": before, "to": invoice.state, "version": invoice.version}
    if reason.strip():
        details["reason"] = reason.strip()
    audit.record(actor=by, action=f"einvoice.{action.value}", target=invoice, details=details)
    return invoice


def _close_case(invoice: InboundInvoice, by: Any) -> None:
    from rathaus.efile import services as efile_services

    if invoice.case is None or invoice.case.is_closed:
        return
    try:
        with transaction.atomic():
            efile_services.case_close(case=invoice.case, by=by)
    except RathausError as exc:
        logger.warning("Vorgang der E-Rechnung %s nicht abgeschlossen: %s", invoice.pk, exc)


@transaction.atomic
def invoice_approve_factual(
    *, invoice: InboundInvoice, by: Any, expected_version: int | None = None
) -> InboundInvoice:
    """Establish the factual correctness (sachlich richtig); refused for the arithmetic approver."""
    return _transition(
        invoice=invoice, action=Action.APPROVE_FACTUAL, by=by, expected_version=expected_version
    )


@transaction.atomic
def invoice_approve_arithmetic(
    *, invoice: InboundInvoice, by: Any, expected_version: int | None = None
) -> InboundInvoice:
    """Establish the arithmetic correctness (rechnerisch richtig); refused for the factual approver."""
    return _transition(
        invoice=invoice, action=Action.APPROVE_ARITHMETIC, by=by, expected_version=expected_version
    )


@transaction.atomic
def invoice_order_payment(
    *, invoice: InboundInvoice, by: Any, expected_version: int | None = None
) -> InboundInvoice:
    """Order the payment (Anordnung, § 70 LHO) of an invoice with both checks; it waits for the export."""
    invoice = _transition(
        invoice=invoice, action=Action.ORDER_PAYMENT, by=by, expected_version=expected_version
    )
    notify_supplier(invoice=invoice, event="payment_ordered")
    return invoice


@transaction.atomic
def invoice_decline(
    *, invoice: InboundInvoice, by: Any, reason: str, expected_version: int | None = None
) -> InboundInvoice:
    """Reject the invoice as the receiving authority (zurückweisen), with a reason for the supplier."""
    invoice = _transition(
        invoice=invoice, action=Action.DECLINE, by=by, expected_version=expected_version, reason=reason
    )
    notify_supplier(invoice=invoice, event="declined")
    _close_case(invoice, by)
    return invoice


@transaction.atomic
def invoice_mark_paid(
    *, invoice: InboundInvoice, by: Any, expected_version: int | None = None
) -> InboundInvoice:
    """Record the payment the cash office reported for an exported order; closes the E-Akte case."""
    invoice = _transition(invoice=invoice, action=Action.MARK_PAID, by=by, expected_version=expected_version)
    notify_supplier(invoice=invoice, event="paid")
    _close_case(invoice, by)
    return invoice


# --- HKR payment export --------------------------------------------------------------------


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


@transaction.atomic
def payment_export_create(
    *,
    by: Any = None,
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
        return None
    # Related rows are read after the lock (select_for_update cannot lock the outer side of joins).
    invoices = list(
        InboundInvoice.objects.filter(pk__in=[r.pk for r in rows])
        .select_related(
            "office", "blob", "factual_approved_by", "arithmetic_approved_by", "payment_ordered_by"
        )
        .order_by("payment_ordered_at", "pk")
    )
    for invoice in invoices:
        apply(_snapshot(invoice), Action.EXPORT, actor=str(by.pk) if isinstance(by, User) else "system")
    total = sum((i.amount_due or Decimal("0") for i in invoices), Decimal("0"))
    export = PaymentExport.objects.create(
        created_by=by if isinstance(by, User) else None,
        office=office,
        since=since,
        until=until,
        format=hkr.FORMAT,
        count=len(invoices),
        total=total,
    )
    content = hkr.to_csv((_order(i) for i in invoices), export_nr=export.pk)
    export.blob = blobs.store(content=content, filename=export.filename, max_bytes=200 * 1024 * 1024)
    export.save(update_fields=["blob"])
    InboundInvoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        state=InboundInvoice.State.EXPORTED, payment_export=export, version=F("version") + 1
    )
    for invoice in invoices:
        audit.record(
            actor=by,
            action="einvoice.export",
            target=invoice,
            details={"from": State.PAYMENT_ORDERED.value, "to": State.EXPORTED.value, "export": export.pk},
        )
    audit.record(
        actor=by,
        action="einvoice.payment_exported",
        target=export,
        details={
            "count": export.count,
            "total": export.total,
            "format": export.format,
            "sha256": export.blob.sha256,
            "office": office.pk if office else None,
            "since": since,
            "until": until,
            "invoices": [i.pk for i in invoices],
        },
    )
    return export


@transaction.atomic
def original_downloaded(*, invoice: InboundInvoice, by: Any) -> None:
    """Record a download of the original document by staff."""
    audit.record(actor=by, action="einvoice.original_downloaded", target=invoice)


@transaction.atomic
def payment_export_downloaded(*, export: PaymentExport, by: Any) -> None:
    """Record a download of an export file (the file leaves the system)."""
    audit.record(actor=by, action="einvoice.payment_export_downloaded", target=export)
