from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Office, Service
from rathaus.domain.parse import MAX_ID, InputError, ascii_int, ascii_int_list, iso_datetime
from rathaus.kernel.forms import DateRangeField, days_from_today

from . import selectors, tokens

# How far a citizen may look or book ahead (and back, for a page left open): generous beyond
# any office's release window, but far from the ends of the calendar.
DAYS_BACK = 31
DAYS_AHEAD = 5 * 366
# The desk's day lists and statistics reach back ten years (retention of statistics) and one ahead.
DESK_DAYS_BACK = 10 * 366
DESK_DAYS_AHEAD = 366


def _no_line_breaks(value: str) -> None:
    if any(ch in value for ch in "\r\n\0"):
        raise ValidationError(_("Bitte ohne Zeilenumbrüche."), code="line_break")


class SearchForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Leistung"),
        queryset=Service.objects.none(),
        empty_label=_("Bitte wählen"),
        error_messages={
            "invalid_choice": _("Diese Leistung kann derzeit nicht online gebucht werden."),
            "required": _("Bitte wählen Sie eine Leistung."),
        },
    )
    service2 = forms.ModelChoiceField(
        label=_("Weitere Leistung beim selben Besuch"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("keine"),
        help_text=_("Zwei Leistungen in einem Termin: die Zeiten werden zusammengezählt."),
    )
    office = forms.ModelChoiceField(
        label=_("Dienststelle"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("alle Dienststellen (frühester Termin)"),
    )
    day = DateRangeField(
        label=_("Ab Tag"),
        required=False,
        earliest=days_from_today(-DAYS_BACK),
        latest=days_from_today(DAYS_AHEAD),
        what="Der Tag",
        help_text=_("Nur bei gewählter Dienststelle: Termine an diesem Tag."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        services = selectors.bookable_services()
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        self.fields["service2"].queryset = services  # type: ignore[attr-defined]
        self.fields["office"].queryset = selectors.bookable_offices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("service") and data.get("service2") == data.get("service"):
            self.add_error("service2", _("Bitte wählen Sie eine andere Leistung oder „keine“."))
        return data

    def services(self) -> list[Service]:
        return [s for s in (self.cleaned_data.get("service"), self.cleaned_data.get("service2")) if s]


class ReserveForm(forms.Form):
    """The chosen time; ``choice`` is "<office id>|<ISO start>". ``form_token`` is the page's
    one-time token; ``cleaned_data["request_key"]`` the key of this request (``tokens``)."""

    # Machine-written fields (radio values, hidden inputs): read exactly, not trimmed.
    choice = forms.CharField(max_length=80, strip=False)
    services = forms.CharField(max_length=60, strip=False)
    pow = forms.CharField(required=False, max_length=2000)
    ticket = forms.CharField(required=False, max_length=300)
    form_token = forms.RegexField(tokens.FORM_TOKEN, max_length=43, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "choice" in data and "form_token" in data:
            office, start = data["choice"]
            data["request_key"] = tokens.request_key(data["form_token"], f"{office.pk}|{start.isoformat()}")
        return data

    def clean_choice(self) -> tuple[Office, datetime.datetime]:
        office_id, _sep, start = self.cleaned_data["choice"].partition("|")
        now = timezone.now()
        try:
            pk = ascii_int(office_id, lo=1, hi=MAX_ID)
            moment = iso_datetime(
                start,
                earliest=now - datetime.timedelta(days=DAYS_BACK),
                latest=now + datetime.timedelta(days=DAYS_AHEAD),
            )
        except InputError as exc:
            raise ValidationError(_("Bitte wählen Sie einen Termin."), code="invalid") from exc
        office = directory_selectors.office_by_id(office_id=pk)
        if office is None:
            raise ValidationError(_("Bitte wählen Sie einen Termin."), code="invalid")
        return office, moment

    def clean_services(self) -> list[Service]:
        try:
            ids = ascii_int_list(self.cleaned_data["services"], lo=1, hi=MAX_ID, max_items=3)
        except InputError as exc:
            raise ValidationError(_("Bitte wählen Sie eine Leistung."), code="invalid") from exc
        found = selectors.services_by_ids(ids)
        if not found:
            raise ValidationError(_("Bitte wählen Sie eine Leistung."), code="invalid")
        return found


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Vor- und Nachname"),
        max_length=200,
        validators=[_no_line_breaks],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        validators=[_no_line_breaks],
        help_text=_("Sie erhalten einen Link, mit dem Sie den Termin bestätigen."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class MoveForm(forms.Form):
    start = forms.CharField(max_length=40, strip=False)

    def clean_start(self) -> datetime.datetime:
        now = timezone.now()
        try:
            return iso_datetime(
                self.cleaned_data["start"],
                earliest=now - datetime.timedelta(days=DAYS_BACK),
                latest=now + datetime.timedelta(days=DAYS_AHEAD),
            )
        except InputError as exc:
            raise ValidationError(_("Bitte wählen Sie einen neuen Termin."), code="invalid") from exc


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Buchungscode"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class WalkInForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Leistung"), queryset=Service.objects.none())

    def __init__(self, *args: Any, office: Office, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = selectors.offered_services(office)  # type: ignore[attr-defined]
