"""Form fields every app shares.

``MoneyField``: an amount typed the German way or the English way ("5,00", "5.00", "1.234,56"),
read by ``rathaus.domain.money.parse_eur`` and shown back as "5,00". It is a text input with
``inputmode="decimal"``, never ``type=number``: a number input shows and submits the browser's
notation, which turned a pre-filled "20.00" plus a typed "5,00" into 500 €.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language

from rathaus.kernel.money import AmountSyntaxError, format_eur, parse_eur

__all__ = ["MoneyField", "MoneyInput"]


class MoneyInput(forms.TextInput):
    """A text input for euro amounts that shows its value in the page's notation, without the sign."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", **(attrs or {})}
        )

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            shown = format_eur(value, get_language() or "de")
            return shown.replace("€", "").replace("\u00a0", "").strip()
        return super().format_value(value)


class MoneyField(forms.Field):
    """A euro amount with at most two decimal places; optional bounds (inclusive)."""

    widget = MoneyInput
    default_error_messages = {
        "min_value": "Der Betrag muss mindestens %(limit)s betragen.",
        "max_value": "Der Betrag darf höchstens %(limit)s betragen.",
    }

    def __init__(
        self, *, min_value: Decimal | None = None, max_value: Decimal | None = None, **kwargs: Any
    ) -> None:
        self.min_value = min_value
        self.max_value = max_value
        kwargs.setdefault("help_text", "In Euro, z. B. 12,50")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_eur(str(value))
        except AmountSyntaxError as error:
            raise ValidationError(str(error), code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        language = get_language() or "de"
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                self.error_messages["min_value"],
                code="min_value",
                params={"limit": format_eur(self.min_value, language)},
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": format_eur(self.max_value, language)},
            )
