"""Receiving e-invoices: validate, store the original, route by Leitweg-ID, detect duplicates, audit."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.accounts.types import Organisation, User
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office
from rathaus.domain.einvoice import (
    DEFAULT_MAX_BYTES,
    DocumentVerdict,
    InvoiceData,
    InvoiceRejected,
    extract_invoice_data,
    parse_secure,
    validate_document,
)
from rathaus.domain.registers.leitweg_id import InvalidLeitwegId, validate_leitweg_id
from rathaus.kernel import audit, blobs
from rathaus.kernel import tasks as kernel_tasks
from rathaus.kernel.exceptions import InvalidInput
from rathaus.kernel.models import Blob

from . import display, selectors
from .models import InboundInvoice, LeitwegRoute
from .tasks import AFTER_INTAKE, after_intake_key


class InvoiceTooLarge(InvalidInput):
    default_code = "einvoice_too_large"


@dataclass(frozen=True)
class _Refusal:
    rule: str
    reason: str


def _seller_key(data: InvoiceData) -> str:
    return "".join((data.seller_vat_id or data.seller_name).split()).upper()


def _route(data: InvoiceData) -> tuple[Office | None, LeitwegRoute | None, _Refusal | None]:
    try:
        leitweg_id = validate_leitweg_id(data.buyer_reference)
    except InvalidLeitwegId as exc:
        return (
            None,
            None,
            _Refusal(
                "LEITWEG-ID",
                f"Die Käuferreferenz (BT-10) „{data.buyer_reference}“ ist keine gültige Leitweg-ID: {exc}",
            ),
        )
    # The routing table managed by staff first, then the office's own Leitweg-ID.
    route = selectors.route_for(leitweg_id=leitweg_id, on=timezone.localdate())
    office = route.office if route else directory_selectors.office_by_leitweg_id(leitweg_id=leitweg_id)
    if office is None:
        return (
            None,
            None,
            _Refusal(
                "LEITWEG-ID-UNKNOWN",
                f"Die Leitweg-ID „{leitweg_id}“ (BT-10) gehört zu keinem Rechnungsempfänger "
                "dieser Plattform. "
                "Bitte fragen Sie beim Auftraggeber die richtige Leitweg-ID nach.",
            ),
        )
    return office, route, None


def _duplicate(data: InvoiceData, sha256: str) -> InboundInvoice | None:
    """The accepted invoice this one repeats (same bytes, or same seller and number), in one query."""
    return (
        InboundInvoice.objects.filter(status=InboundInvoice.Status.ACCEPTED)
        .filter(
            Q(blob__sha256=sha256) | Q(seller_key=_seller_key(data)[:300], invoice_number=data.number[:200])
        )
        .only("pk", "received_at")
        .order_by("pk")
        .first()
    )


def _invoice_data(verdict: DocumentVerdict, *, max_bytes: int) -> InvoiceData | None:
    """The key business terms of the document, also of a rejected one where they can be read
    (the supplier sees its invoice number and amount in its list); None for unreadable bytes."""
    if verdict.xml is None:
        return None
    try:
        return extract_invoice_data(parse_secure(verdict.xml, max_bytes=max_bytes))
    except (InvoiceRejected, ValueError):
        if verdict.report.accepted:
            raise
        return None


def _stored_amount(value: Decimal | None) -> Decimal | None:
    """An amount the database column holds (19 digits, 2 decimals); a rejected document's
    unreadable or absurd amount is not kept."""
    if value is None or not value.is_finite() or abs(value) >= Decimal(10) ** 16:
        return None
    return value.quantize(Decimal("0.01"))


def invoice_receive(
    *,
    content: bytes,
    sender: Organisation | None,
    channel: str,
    submitted_by: User | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    notice_email: str = "",
) -> InboundInvoice:
    """Validate and store one submitted document and return its ``InboundInvoice``.

    ``notice_email`` is where supplier notices go when ``submitted_by`` has no address (e-mail intake).

    The document is accepted when the official KoSIT rules accept it (XRechnung 3.0 / EN 16931),
    its Leitweg-ID (BT-10) is well-formed with a correct check digit and belongs to an office, and
    the same invoice (same bytes, or same seller and invoice number) was not accepted before.
    Otherwise it is stored with status ``rejected`` and the rules it breaks; only a file over the
    size limit is not stored (``InvoiceTooLarge``).
    """
    if channel not in InboundInvoice.Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if len(content) > max_bytes:
        raise InvoiceTooLarge(
            f"Die Datei ist {len(content) / 1024 / 1024:.1f} MB groß; erlaubt sind höchstens "
            f"{max_bytes / 1024 / 1024:.0f} MB.".replace(".", ",")
        )
    if not content:
        raise InvalidInput("Die Datei ist leer.", code="einvoice_empty")
    # Validation runs the rule stylesheets and is the expensive part; keep it outside the transaction.
    # A ZUGFeRD/Factur-X PDF is validated by its embedded XML; the PDF stays the stored original.
    verdict = validate_document(content, standards_dir=settings.EINVOICE_STANDARDS_DIR, max_bytes=max_bytes)
    data = _invoice_data(verdict, max_bytes=max_bytes)
    try:
        filename = "rechnung.pdf" if verdict.container == "pdf" else "rechnung.xml"
        blob = blobs.store(content=content, filename=filename, max_bytes=max_bytes)
    except blobs.BlobTypeMismatch:
        # Bytes that are not XML (or look like HTML/SVG) are kept too, under a name that claims no type.
        blob = blobs.store(content=content, filename="eingang", max_bytes=max_bytes)
    record = functools.partial(
        _record,
        verdict,
        data,
        blob,
        sender=sender,
        channel=channel,
        submitted_by=submitted_by,
        notice_email=notice_email,
    )
    try:
        return record()
    except IntegrityError:
        # A parallel request accepted the same invoice a moment earlier; now it is a duplicate.
        return record()


def _keep_recognisable(invoice: InboundInvoice, data: InvoiceData) -> None:
    """A document the rules rejected: keep what the supplier needs to recognise it; no routing,
    no duplicate check (nothing of it is processed)."""
    invoice.invoice_number = data.number[:200]
    invoice.issue_date = data.issue_date
    invoice.currency = data.currency[:3]
    invoice.leitweg_id = data.buyer_reference[:200]
    invoice.seller_name = data.seller_name[:300]
    invoice.total_with_vat = _stored_amount(data.total_with_vat)
    invoice.amount_due = _stored_amount(data.amount_due)
    invoice.is_credit_note = data.is_credit_note


def _route_and_check(invoice: InboundInvoice, data: InvoiceData, blob: Blob) -> _Refusal | None:
    """A document the rules accepted: its business terms, its authority, and whether it came before."""
    invoice.invoice_number = data.number[:200]
    invoice.issue_date = data.issue_date
    invoice.currency = data.currency[:3]
    invoice.leitweg_id = data.buyer_reference[:200]
    invoice.seller_name = data.seller_name[:300]
    invoice.seller_vat_id = data.seller_vat_id[:50]
    invoice.seller_key = _seller_key(data)[:300]
    invoice.total_with_vat = data.total_with_vat
    invoice.amount_due = data.amount_due
    invoice.is_credit_note = data.is_credit_note
    invoice.due_date = data.due_date
    invoice.payee_iban = data.iban[:34]
    office, invoice.route, refusal = _route(data)
    invoice.office = office
    if refusal is not None:
        return refusal
    original = _duplicate(data, blob.sha256)
    if original is None:
        return None
    invoice.duplicate_of = original
    return _Refusal(
        "DUPLICATE",
        f"Die Rechnung {data.number} dieses Rechnungsstellers ist bereits am "
        f"{original.received_at:%d.%m.%Y} eingegangen (Eingang Nr. {original.pk}).",
    )


def _verdict(invoice: InboundInvoice, verdict: DocumentVerdict, data: InvoiceData | None) -> None:
    """Set the invoice's status: accepted, or rejected with the rules it breaks and why."""
    report = verdict.report
    refusal: _Refusal | None = None
    if not report.accepted:
        refusal = _Refusal(
            ", ".join(report.error_rule_ids),
            "; ".join(f"{display.finding_message(f.message)} ({f.rule_id})" for f in report.errors[:20]),
        )
    if data is not None and not report.accepted:
        _keep_recognisable(invoice, data)
    elif data is not None:
        refusal = _route_and_check(invoice, data, invoice.blob)
    if refusal is None:
        invoice.status = InboundInvoice.Status.ACCEPTED
        invoice.state = InboundInvoice.State.ACCEPTED
    else:
        invoice.status = InboundInvoice.Status.REJECTED
        invoice.rejection_rules = report.error_rule_ids if not report.accepted else [refusal.rule]
        invoice.rejection_reason = refusal.reason


def _record(
    verdict: DocumentVerdict,
    data: InvoiceData | None,
    blob: Blob,
    *,
    sender: Organisation | None,
    channel: str,
    submitted_by: User | None,
    notice_email: str = "",
) -> InboundInvoice:
    report = verdict.report
    with transaction.atomic():
        invoice = InboundInvoice(
            sender=sender,
            submitted_by=submitted_by,
            channel=channel,
            blob=blob,
            syntax=report.syntax or "",
            scenario=report.scenario or "",
            rule_set_version=report.rule_set_version,
            validation_report=verdict.as_dict(),
            notice_email=notice_email[:254],
        )
        _verdict(invoice, verdict, data)
        invoice.save()
        audit.record(
            actor=submitted_by or audit.Actor.system("E-Rechnungseingang"),
            action=f"einvoice.{invoice.status}",
            target=invoice,
            details={
                "channel": channel,
                "sha256": blob.sha256,
                "rules": invoice.rejection_rules,
                "office": invoice.office_id,
                "rule_set": report.rule_set_version,
            },
        )
        # Filing in the E-Akte and the supplier's notice follow in the background, off the request.
        kernel_tasks.enqueue_once(AFTER_INTAKE, key=after_intake_key(invoice.pk), invoice_id=invoice.pk)
    return invoice
