"""Form fields every app shares.

``MoneyField``: an amount typed the German way or the English way ("5,00", "5.00", "1.234,56"),
read by ``rathaus.domain.money.parse_eur`` and shown back as "5,00". It is a text input with
``inputmode="decimal"``, never ``type=number``: a number input shows and submits the browser's
notation, which turned a pre-filled "20.00" plus a typed "5,00" into 500 €.

``submit``: the staff POST pattern in one place: a valid form's data go to one service call; a
``RathausError`` it raises becomes the form's error (German, on a field or the whole form) and
the page is shown again with it.

``BoundedIntegerField`` and ``DateRangeField``: a whole number (ASCII digits, inclusive range)
and an ISO date within bounds, read by ``rathaus.domain.parse``; ``query_int`` and ``query_date``
read a single query parameter the same way in views without a form, and answer 400 (``BadRequest``)
with a German message. Django's own ``IntegerField``/``DateField`` accept "٣", " 1" or 9999-12-31.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils import timezone
from django.utils.translation import get_language

from rathaus.domain.parse import MAX_ID, InputError, ascii_int, iso_date
from rathaus.kernel.exceptions import RathausError
from rathaus.kernel.money import AmountSyntaxError, format_eur, parse_eur


class QueryRefused(BadRequest):
    """A query parameter that is not what the page accepts; its German message is shown on the
    400 page (``portal.views.bad_request``), unlike other ``BadRequest`` whose text may be internal."""


__all__ = [
    "submit",
    "QueryRefused",
    "BoundedIntegerField",
    "DateRangeField",
    "MoneyField",
    "MoneyInput",
    "days_from_today",
    "query_date",
    "query_int",
]

# A bound that is a date, or a function giving one (so "today + 1 year" is computed per request).
DateBound = datetime.date | Callable[[], datetime.date]


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


def days_from_today(days: int) -> Callable[[], datetime.date]:
    """A date bound ``days`` after (negative: before) today in the site's time zone."""

    def bound() -> datetime.date:
        return timezone.localdate() + datetime.timedelta(days=days)

    return bound


def _date(bound: DateBound) -> datetime.date:
    return bound() if callable(bound) else bound


class BoundedIntegerField(forms.Field):
    """A whole number of ASCII digits in ``min_value``..``max_value`` (default: a database id, 1..2⁶³-1)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})

    def __init__(
        self, *, min_value: int = 1, max_value: int = MAX_ID, what: str = "Die Zahl", **kwargs: Any
    ) -> None:
        self.min_value, self.max_value, self.what = min_value, max_value, what
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            return ascii_int(str(value), lo=self.min_value, hi=self.max_value, what=self.what)
        except InputError as error:
            raise ValidationError(str(error), code="invalid") from None


class DateRangeField(forms.Field):
    """A date "YYYY-MM-DD" in ``earliest``..``latest`` (dates, or functions: ``days_from_today(365)``)."""

    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(
        self, *, earliest: DateBound, latest: DateBound, what: str = "Das Datum", **kwargs: Any
    ) -> None:
        self.earliest, self.latest, self.what = earliest, latest, what
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            value = value.isoformat()
        try:
            return iso_date(
                str(value), earliest=_date(self.earliest), latest=_date(self.latest), what=self.what
            )
        except InputError as error:
            raise ValidationError(str(error), code="invalid") from None


def query_int(
    params: Mapping[str, Any],
    name: str,
    *,
    lo: int = 1,
    hi: int = MAX_ID,
    default: int | None = None,
    what: str = "Die Zahl",
) -> int | None:
    """The query parameter ``name`` as ``ascii_int``; ``default`` when absent or empty; otherwise 400."""
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return ascii_int(str(value), lo=lo, hi=hi, what=what)
    except InputError as error:
        raise QueryRefused(str(error)) from None


def query_date(
    params: Mapping[str, Any],
    name: str,
    *,
    earliest: DateBound,
    latest: DateBound,
    default: datetime.date | None = None,
    what: str = "Das Datum",
) -> datetime.date | None:
    """The query parameter ``name`` as ``iso_date``; ``default`` when absent or empty; otherwise 400."""
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        return iso_date(str(value), earliest=_date(earliest), latest=_date(latest), what=what)
    except InputError as error:
        raise QueryRefused(str(error)) from None


def submit(
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    *,
    error_field: str | None | Callable[[RathausError], str | None] = None,
) -> bool:
    """Call ``action(form.cleaned_data)`` when ``form`` is valid; True when it ran through.

    A ``RathausError`` from the service is added to the form (to ``error_field``, or the field
    that function picks for the error, else to the whole form) and False is returned, so the view
    renders the form again with the message::

        if submit(form, lambda data: services.case_note_add(case=case, text=data["text"], by=user),
                  error_field="text"):
            messages.success(request, _("Die Notiz wurde gespeichert."))
            return redirect(...)
        return render(... form ...)
    """
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except RathausError as error:
        field = error_field(error) if callable(error_field) else error_field
        form.add_error(field, error.message)
        return False
    return True
