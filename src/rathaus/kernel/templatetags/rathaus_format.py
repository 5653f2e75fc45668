"""Display filters every template has (registered as builtins in settings): one way to show
an amount, a date and an audit action everywhere.

- ``{{ amount|euro }}``: "12.829,69 €" in German, "€12,829.69" in English; "–" when missing.
- ``{{ entry.action|action_label }}``: the registered label, never the dotted code.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from rathaus.kernel import audit
from rathaus.kernel.money import format_eur

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    """An amount for display, never wrapped between number and sign; "–" when missing."""
    if value is None or value == "":
        return "–"
    return format_eur(value, (get_language() or "de"), nbsp=True)


@register.filter
def action_label(action: str) -> str:
    return audit.action_label(action)
