from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rathaus.directory.models import Office, Service

from . import selectors


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
    day = forms.DateField(
        label=_("Ab Tag"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
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
    """The chosen time; ``choice`` is "<office id>|<ISO start>"."""

    choice = forms.CharField(max_length=80)
    services = forms.CharField(max_length=60)
    pow = forms.CharField(required=False, max_length=2000)
    ticket = forms.CharField(required=False, max_length=300)

    def clean_choice(self) -> tuple[Office, datetime.datetime]:
        office_id, _sep, start = self.cleaned_data["choice"].partition("|")
        try:
            moment = datetime.datetime.fromisoformat(start)
        except ValueError as exc:
            raise ValidationError(_("Bitte wählen Sie einen Termin."), code="invalid") from exc
        office = Office.objects.filter(pk=int(office_id)).first() if office_id.isdigit() else None
        if office is None or moment.tzinfo is None:
            raise ValidationError(_("Bitte wählen Sie einen Termin."), code="invalid")
        return office, moment

    def clean_services(self) -> list[Service]:
        ids = [int(i) for i in self.cleaned_data["services"].split(",") if i.isdigit()][:3]
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
    start = forms.DateTimeField(input_formats=["iso-8601"])


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
        self.fields["service"].queryset = Service.objects.filter(  # type: ignore[attr-defined]
            offered_at__office=office, offered_at__active=True
        ).order_by("name")
