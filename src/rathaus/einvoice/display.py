"""How e-invoices are shown to people: amounts, validation findings, codes and statuses in words.

One place for the staff pages, the supplier pages, the readable PDF and the supplier notices, so an
amount reads "12.829,69 €" everywhere (another currency keeps its ISO code: "1.234,50 USD"), a
finding shows its message once with the rule ID beside it (never ``BR-DE-15: [BR-DE-15] …``), and
codes of the standard (UNTDID 1001, 4461, 5305) are named in words.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from rathaus.domain.einvoice.explain import explain_rule, short_location
from rathaus.kernel.money import format_eur

from .models import InboundInvoice

__all__ = [
    "finding_message",
    "finding_rows",
    "invoice_type_label",
    "money",
    "payment_means_label",
    "supplier_status",
    "vat_category_label",
]


def money(
    value: Decimal | int | str | None, currency: str = "", *, language: str = "", nbsp: bool = False
) -> str:
    """An amount as people read it: "1.234,50 €" for euros, "1.234,50 USD" for another currency;
    "–" when missing. ``language`` defaults to the active one (German or English)."""
    if value is None or value == "":
        return "–"
    lang = "en" if (language or get_language() or "de").lower().startswith("en") else "de"
    text = format_eur(value, lang, nbsp=nbsp)
    code = (currency or "EUR").strip().upper()
    if code == "EUR":
        return text
    space = "\u00a0" if nbsp else " "
    if lang == "de":
        return text.replace(f"{space}€", f"{space}{code}")
    return text.replace("€", "") + f"{space}{code}"


# The official Schematron messages begin with their rule ID: "[BR-CO-15]-Invoice total …".
_RULE_PREFIX = re.compile(r"^\s*\[[^\]]{1,60}\]\s*[-–:]?\s*")


def finding_message(message: str) -> str:
    """The message of a validation finding without the leading "[rule ID]" the rule sets add."""
    return _RULE_PREFIX.sub("", message or "", count=1).strip()


_SEVERITY_ORDER = {"error": 0, "warning": 1, "information": 2}
SEVERITY_LABELS: dict[str, Any] = {"error": _("Fehler"), "warning": _("Warnung"), "information": _("Hinweis")}


def finding_rows(invoice: InboundInvoice) -> list[dict[str, str]]:
    """The invoice's findings for display, errors first: rule, severity (label), message once.

    A document refused by the platform itself (Leitweg-ID unknown, duplicate) has no finding of
    the rule sets; then the refusal is the one row, so a rejected invoice always says why.
    """
    rows = []
    for finding in invoice.validation_report.get("findings", []):
        rule = finding.get("rule", "")
        severity = finding.get("severity", "error")
        rows.append(
            {
                "rule": rule,
                "severity": severity,
                "severity_label": str(SEVERITY_LABELS.get(severity, severity)),
                "message": finding_message(finding.get("message", "")),
                "location": short_location(finding.get("location", "")),
                "explanation": explain_rule(rule).rstrip("."),
            }
        )
    rejected = invoice.status == InboundInvoice.Status.REJECTED
    if rejected and not any(r["severity"] == "error" for r in rows):
        rule = ", ".join(invoice.rejection_rules)
        rows.append(
            {
                "rule": rule,
                "severity": "error",
                "severity_label": str(SEVERITY_LABELS["error"]),
                "message": invoice.rejection_reason or explain_rule(rule) or str(_("Nicht angenommen.")),
                "location": "",
                "explanation": "",
            }
        )
    return sorted(rows, key=lambda r: _SEVERITY_ORDER.get(r["severity"], 3))


def supplier_status(invoice: InboundInvoice) -> str:
    """Where the supplier's invoice stands, in words (the authority's steps summed up)."""
    if invoice.status != InboundInvoice.Status.ACCEPTED:
        return str(invoice.get_status_display())
    state = invoice.state
    if state == InboundInvoice.State.DECLINED:
        return str(_("Zurückgewiesen"))
    if state == InboundInvoice.State.PAID:
        return str(_("Bezahlt"))
    if state in (InboundInvoice.State.PAYMENT_ORDERED, InboundInvoice.State.EXPORTED):
        return str(_("Zur Zahlung angewiesen"))
    return str(_("Angenommen, in Prüfung"))


# UNTDID 1001 (BT-3) codes of the XRechnung code list.
_INVOICE_TYPES: dict[str, Any] = {
    "326": _("Teilrechnung"),
    "380": _("Rechnung"),
    "381": _("Gutschrift"),
    "384": _("Rechnungskorrektur"),
    "389": _("Gutschrift im Gutschriftsverfahren"),
    "261": _("Gutschrift im Gutschriftsverfahren"),
    "396": _("Gutschrift (Factoring)"),
    "532": _("Gutschrift des Spediteurs"),
    "751": _("Rechnungsinformation für Buchungszwecke"),
    "875": _("Abschlagsrechnung (Bauleistung)"),
    "876": _("Teilschlussrechnung (Bauleistung)"),
    "877": _("Schlussrechnung (Bauleistung)"),
}

# UNTDID 4461 (BT-81) codes commonly used in Germany.
_PAYMENT_MEANS: dict[str, Any] = {
    "1": _("nicht angegeben"),
    "10": _("Barzahlung"),
    "20": _("Scheck"),
    "30": _("Überweisung"),
    "42": _("Zahlung auf ein Bankkonto"),
    "48": _("Kartenzahlung"),
    "49": _("Lastschrift"),
    "57": _("Dauerauftrag"),
    "58": _("SEPA-Überweisung"),
    "59": _("SEPA-Lastschrift"),
    "97": _("Verrechnung"),
}

# UNCL 5305 (BT-118, BT-151) VAT categories.
_VAT_CATEGORIES: dict[str, Any] = {
    "S": _("Regelsatz"),
    "Z": _("Nullsatz"),
    "E": _("steuerbefreit"),
    "AE": _("Steuerschuldnerschaft des Leistungsempfängers"),
    "K": _("innergemeinschaftliche Lieferung"),
    "G": _("Ausfuhr außerhalb der EU"),
    "O": _("nicht steuerbar"),
    "L": _("Kanarische Inseln (IGIC)"),
    "M": _("Ceuta und Melilla (IPSI)"),
}


def _label(table: dict[str, Any], code: str) -> str:
    code = (code or "").strip()
    if not code:
        return "–"
    label = table.get(code)
    return str(label) if label is not None else str(_("Code %(code)s")) % {"code": code}


def invoice_type_label(code: str) -> str:
    return _label(_INVOICE_TYPES, code)


def payment_means_label(code: str) -> str:
    return _label(_PAYMENT_MEANS, code)


def vat_category_label(code: str) -> str:
    return _label(_VAT_CATEGORIES, code)
