from decimal import Decimal

from django import template
from django.utils.translation import get_language

from rathaus.kernel.money import format_eur

register = template.Library()


@register.filter
def euro(value: Decimal | int | str | None) -> str:
    """An amount for display: "1.234,56 €" (German) or "€1,234.56" (English), never wrapped."""
    if value is None or value == "":
        return "–"
    return format_eur(value, (get_language() or "de"), nbsp=True)
