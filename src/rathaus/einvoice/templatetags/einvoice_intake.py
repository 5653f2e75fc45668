"""Display helpers for e-invoices: German dates and amounts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from rathaus.einvoice.render import money

register = template.Library()


@register.filter
def de_date(value: str | datetime.date | None) -> str:
    """ISO date (YYYY-MM-DD) as DD.MM.YYYY; anything else unchanged."""
    if not value:
        return "–"
    if isinstance(value, datetime.date):
        return f"{value:%d.%m.%Y}"
    try:
        return f"{datetime.date.fromisoformat(str(value)[:10]):%d.%m.%Y}"
    except ValueError:
        return str(value)


@register.filter
def amount(value: Decimal | None, currency: str = "") -> str:
    """1.234,50 EUR; an en dash for a missing amount."""
    return "–" if value is None else money(value, currency)
