from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.domain.payments.kassenzeichen import InvalidKassenzeichen, parse
from rathaus.kernel.forms import MoneyField

from .sandbox import MODES


class SandboxDecisionForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Benachrichtigung simulieren"),
        choices=[
            ("normal", _("sofort, einmal")),
            ("late", _("verspätet (erst auf Knopfdruck)")),
            ("duplicate", _("doppelt")),
            ("out_of_order", _("in falscher Reihenfolge")),
        ],
        initial="normal",
        widget=forms.RadioSelect,
    )

    def clean_mode(self) -> str:
        mode = self.cleaned_data["mode"]
        assert mode in MODES
        return mode


class RefundForm(forms.Form):
    """Ask for a refund. Rendered with ``prefix="refund"`` so its field IDs are unique on the
    claim page; the amount is typed the German way ("5,00") or the English way ("5.00")."""

    amount = MoneyField(
        label=_("Betrag in Euro"),
        min_value=Decimal("0.01"),
        help_text=_("In Euro, z. B. 12,50"),
    )
    reason = forms.CharField(
        label=_("Grund der Erstattung"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    key = forms.CharField(widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex)


class AssignForm(forms.Form):
    """Assign an unmatched credit to a claim; one per credit, prefixed ``credit-<id>``."""

    kassenzeichen = forms.CharField(
        label=_("Kassenzeichen"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def clean_kassenzeichen(self) -> str:
        try:
            return str(parse(self.cleaned_data["kassenzeichen"]))
        except InvalidKassenzeichen as exc:
            raise forms.ValidationError(str(exc)) from exc


class CamtUploadForm(forms.Form):
    file = forms.FileField(label=_("Kontoauszug (camt.053 oder camt.054, XML)"))
