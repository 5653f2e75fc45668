from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DisposalItem


class OfferForm(forms.Form):
    office: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Dienststelle"), queryset=None)  # type: ignore[arg-type]
    archive: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Archiv"), queryset=None)  # type: ignore[arg-type]
    reference_date = forms.DateField(
        label=_("Stichtag"),
        help_text=_("Akten, deren Aufbewahrungsfrist an diesem Tag abgelaufen ist (TT.MM.JJJJ)."),
        initial=timezone.localdate,
    )

    def __init__(self, *args: Any, offices: Any, archives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices  # type: ignore[attr-defined]
        self.fields["archive"].queryset = archives  # type: ignore[attr-defined]


class EvaluationForm(forms.Form):
    """One choice per offered file: take over (A) or destroy (V)."""

    def __init__(self, *args: Any, items: list[DisposalItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.ChoiceField(
                label=f"{item.aktenzeichen} {item.title}",
                choices=DisposalItem.Decision.choices,
                widget=forms.RadioSelect,
                initial="A" if item.proposal == "A" else "V" if item.proposal == "V" else None,
            )

    def decisions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"item-{item.pk}"] for item in self.items}
