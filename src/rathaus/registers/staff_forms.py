"""Forms of the register offices' staff pages (German labels; the services check the values)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("Feld"), choices=())
    new_value = forms.CharField(
        label=_("Richtiger Wert"),
        max_length=300,
        required=False,
        help_text=_(
            "Ein Datum als TT.MM.JJJJ, das Geschlecht als weiblich, männlich, divers oder ohne "
            "Angabe, die Staatsangehörigkeit als Ländercode (DEU, TUR …)."
        ),
    )
    reason = forms.CharField(
        label=_("Begründung und Nachweis"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Zum Beispiel: Geburtsurkunde vorgelegt, Schreibfehler bei der Übernahme."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = choices


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Anmerkung"), max_length=500, required=False)


class MoveForm(forms.Form):
    street = forms.CharField(label=_("Straße"), max_length=120)
    house_number = forms.CharField(label=_("Hausnummer"), max_length=12)
    postal_code = forms.CharField(label=_("Postleitzahl"), max_length=5, min_length=5)
    moved_on = forms.DateField(
        label=_("Tag des Einzugs"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    join = forms.CharField(
        label=_("Dem Haushalt beitreten von (Registernummer)"),
        max_length=20,
        required=False,
        help_text=_("Leer lassen für einen neuen Haushalt."),
    )


class DeathForm(forms.Form):
    date_of_death = forms.DateField(
        label=_("Sterbedatum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
