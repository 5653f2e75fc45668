"""Display helpers for e-invoices: German dates, amounts, and the standard's codes in words."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from rathaus.einvoice import display
from rathaus.kernel import pdf

register = template.Library()


@register.filter
def de_date(value: str | datetime.date | None) -> str:
    """ISO date (YYYY-MM-DD) as DD.MM.YYYY; anything else unchanged (``kernel.pdf.de_date``)."""
    return pdf.de_date(value)


@register.filter
def amount(value: Decimal | None, currency: str = "") -> str:
    """ "1.234,50 €" (another currency: "1.234,50 USD"); an en dash for a missing amount."""
    return display.money(value, currency, nbsp=True)


@register.filter
def invoice_type(code: str) -> str:
    """BT-3 in words: "Rechnung", "Gutschrift" …"""
    return display.invoice_type_label(code)


@register.filter
def payment_means(code: str) -> str:
    """BT-81 in words: "SEPA-Überweisung" …"""
    return display.payment_means_label(code)


@register.filter
def vat_category(code: str) -> str:
    """BT-118/BT-151 in words: "Regelsatz" …"""
    return display.vat_category_label(code)
