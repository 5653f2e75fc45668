"""Forms of the authorities' e-invoice pages (the workflow); every one carries the version it saw."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.directory import selectors as directory_selectors


class InvoiceActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class InvoiceDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Begründung für den Rechnungssteller"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RouteForm(forms.Form):
    """A routing-table line; ``pattern`` and ``match`` only when it is created."""

    pattern = forms.CharField(
        label=_("Leitweg-ID oder ihr Anfang"),
        max_length=46,
        help_text=_("Zum Beispiel 04011000-12348-91 (genau) oder 04011000-123 (alle, die so beginnen)."),
    )
    match = forms.ChoiceField(label=_("Vergleich"), choices=())
    office: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Rechnungsempfänger"), queryset=directory_selectors.office_list().none()
    )
    valid_from = forms.DateField(
        label=_("Gültig ab"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("Gültig bis"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leer lassen für unbefristet; zum Beenden den letzten Tag eintragen."),
    )
    note = forms.CharField(label=_("Bemerkung"), max_length=300, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        from .models import LeitwegRoute

        super().__init__(*args, **kwargs)
        match = self.fields["match"]
        assert isinstance(match, forms.ChoiceField)  # noqa: S101 (narrowing for the type checker)
        match.choices = LeitwegRoute.Match.choices
        office = self.fields["office"]
        assert isinstance(office, forms.ModelChoiceField)  # noqa: S101
        office.queryset = directory_selectors.office_list()
        if editing:
            del self.fields["pattern"]
            del self.fields["match"]
