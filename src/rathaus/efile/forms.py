from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rathaus.directory.models import Office


class DocumentUploadForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=300, required=False)
    file = forms.FileField(
        label=_("Datei"),
        help_text=_("PDF, Bild (PNG, JPEG, TIFF), Office-Dokument oder Text; höchstens 50 MB."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseForwardForm(forms.Form):
    to_office = forms.ModelChoiceField(label=_("An Dienststelle"), queryset=Office.objects.order_by("name"))
    note = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseAssignForm(forms.Form):
    assignee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Bearbeitung durch"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("niemand (Posteingang)"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for the type checker)
        field.queryset = staff


class CaseResubmissionForm(forms.Form):
    on = forms.DateField(
        label=_("Wiedervorlage am"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leer lassen, um die Wiedervorlage zu entfernen."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
