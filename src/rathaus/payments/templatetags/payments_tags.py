"""Filters of the payments pages: ``euro`` (the kernel's builtin, kept for templates that load
this library), the labels of ledger accounts and booking kinds, an IBAN in groups of four."""

from django import template

from rathaus.kernel.pdf import iban_groups
from rathaus.kernel.templatetags.rathaus_format import euro

from .. import labels

register = template.Library()
register.filter("euro", euro)


@register.filter
def account_label(code: str) -> str:
    """``receivable`` → "Forderungen"."""
    return labels.account_label(code)


@register.filter
def entry_kind_label(code: str) -> str:
    """``online_payment`` → "Online-Zahlung"."""
    return labels.entry_kind_label(code)


# An IBAN as printed on paper (DIN 5008): groups of four characters.
register.filter("iban_groups", iban_groups)


@register.filter
def debit(amount):  # noqa: ANN001, ANN201
    """The amount of a posting if it debits its account (positive), else ``None``."""
    return amount if amount > 0 else None


@register.filter
def credit(amount):  # noqa: ANN001, ANN201
    """The amount of a posting if it credits its account, as a positive number, else ``None``."""
    return -amount if amount < 0 else None
