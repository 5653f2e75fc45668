"""Forms of the office's work on an online application and of the citizen's answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 5_000


class InformationRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Was fehlt?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Dieser Text geht so an die Antragstellerin oder den Antragsteller."),
    )
    documents = forms.CharField(
        label=_("Welche Unterlagen?"),
        required=False,
        max_length=500,
        help_text=_("Zum Beispiel: Erlaubnis nach § 34c GewO, Kopie des Personalausweises."),
    )
    deadline = forms.DateField(
        label=_("Frist"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Bis zu diesem Tag soll die Antwort vorliegen (Vorgabe: in 14 Tagen)."),
    )


class DecisionForm(forms.Form):
    OUTCOMES = (("approve", _("Bewilligen")), ("reject", _("Ablehnen")))
    outcome = forms.ChoiceField(label=_("Entscheidung"), choices=OUTCOMES, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Text des Bescheids"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Bei einer Ablehnung die Begründung (Pflicht); bei einer Bewilligung etwa Auflagen."),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern for ``multiple``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": ".pdf,.jpg,.jpeg,.png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [] if data is None else [super().clean(data, initial)]


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Ihre Nachricht"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    dateien = MultipleFileField(
        label=_("Dateien"),
        required=False,
        help_text=_("PDF, JPEG oder PNG, je höchstens 10 MB, bis zu 5 Dateien."),
    )
