"""Supplier notices: an e-mail at each step the supplier needs to know of (``kernel.notify``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from rathaus.domain.einvoice.explain import short_location
from rathaus.kernel import notify, urls

from .. import display
from ..models import InboundInvoice

_NOTICE_SUBJECTS = {
    "accepted": "E-Rechnung {number}: eingegangen",
    "rejected": "E-Rechnung {number}: abgelehnt",
    "declined": "E-Rechnung {number}: zurückgewiesen",
    "payment_ordered": "E-Rechnung {number}: geprüft und zur Zahlung angewiesen",
    "paid": "E-Rechnung {number}: bezahlt",
}


def _rejected_lines(invoice: InboundInvoice) -> list[str]:
    lines = [
        "Ihr Dokument konnte nicht als E-Rechnung angenommen werden. Es verstößt gegen folgende "
        "Regeln (Regelwerk: " + (invoice.rule_set_version or "–") + "):",
        "",
    ]
    findings = [f for f in invoice.validation_report.get("findings", []) if f.get("severity") == "error"]
    for finding in findings[:50]:
        where = f" (Stelle: {short_location(finding['location'])})" if finding.get("location") else ""
        message = display.finding_message(finding.get("message", ""))
        lines.append(f"- {message} (Regel {finding.get('rule')}){where}")
    if not findings:
        lines.append(f"- {invoice.rejection_reason} (Regel {', '.join(invoice.rejection_rules)})")
    return [*lines, "", "Bitte korrigieren Sie die Rechnung und senden Sie sie erneut."]


def _event_lines(invoice: InboundInvoice, event: str) -> list[str]:
    number = invoice.invoice_number or "(ohne Nummer)"
    if event == "accepted":
        return [
            f"Ihre Rechnung {number} ist am {timezone.localtime(invoice.received_at):%d.%m.%Y um %H:%M} Uhr "
            f"eingegangen, entspricht den Regeln für XRechnung und wurde an "
            f"{invoice.office.name if invoice.office else 'den Rechnungsempfänger'} weitergeleitet."
        ]
    if event == "rejected":
        return _rejected_lines(invoice)
    if event == "declined":
        return [
            f"{invoice.office.name if invoice.office else 'Der Rechnungsempfänger'} hat Ihre Rechnung "
            f"{number} zurückgewiesen. Begründung:",
            "",
            invoice.decline_reason,
        ]
    if event == "payment_ordered":
        return [f"Ihre Rechnung {number} wurde sachlich und rechnerisch geprüft und zur Zahlung angewiesen."]
    if event == "paid":
        return [f"Ihre Rechnung {number} wurde bezahlt."]
    return []


def _notice_body(invoice: InboundInvoice, event: str) -> str:
    lines = [
        "Guten Tag,",
        "",
        *_event_lines(invoice, event),
        "",
        f"Eingangsnummer: {invoice.pk}. Den aktuellen Stand sehen Sie auch über die API "
        f"(GET {urls.absolute(reverse('api:einvoice_get', kwargs={'invoice_id': invoice.pk}))}).",
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
