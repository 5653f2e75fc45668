"""Forms of the tax office's staff pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TaxReturn
from .services import MAX_NOTE


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Neuer Stand"), choices=TaxReturn.Status.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Notiz an die Steuerpflichtigen"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Steht in der Nachricht im Postfach und in der Historie."),
    )
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, allowed: list[tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if allowed is not None and not self.is_bound:
            self.fields["status"].choices = allowed  # type: ignore[attr-defined]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stand"), required=False, choices=[("", _("Alle"))] + list(TaxReturn.Status.choices)
    )
    jahr = forms.IntegerField(label=_("Steuerjahr"), required=False, min_value=2000, max_value=2100)
    q = forms.CharField(label=_("Name oder Zeichen"), required=False, max_length=100)
