from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ParcelSearchForm(forms.Form):
    gemarkung = forms.ChoiceField(label=_("Gemarkung"), required=False)
    number = forms.IntegerField(label=_("Flurstücksnummer"), required=False, min_value=1, max_value=100000)

    def __init__(self, *args: Any, gemarkungen: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["gemarkung"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Alle")), *((g, g) for g in gemarkungen)]
