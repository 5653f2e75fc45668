import datetime
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rathaus.directory.selectors import office_list
from rathaus.kernel.forms import DateRangeField, days_from_today


class InboxFilterForm(forms.Form):
    """Filters of the office inbox (GET); a bad date is a form error, not a server error."""

    # Bounded: 9999-12-31 and 0001-01-01 overflowed the day arithmetic of the inbox query.
    eroeffnet_von = DateRangeField(
        label=_("Eröffnet ab"),
        required=False,
        earliest=datetime.date(2000, 1, 1),
        latest=days_from_today(366),
        what="Das Datum „Eröffnet ab“",
    )
    eroeffnet_bis = DateRangeField(
        label=_("Eröffnet bis"),
        required=False,
        earliest=datetime.date(2000, 1, 1),
        latest=days_from_today(366),
        what="Das Datum „Eröffnet bis“",
    )
    beteiligt = forms.CharField(
        label=_("Beteiligte (Person oder Organisation)"), required=False, max_length=200
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("eroeffnet_von"), data.get("eroeffnet_bis")
        if start and end and start > end:
            self.add_error("eroeffnet_bis", _("Das Ende des Zeitraums liegt vor seinem Anfang."))
        return data


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
    to_office = forms.ModelChoiceField(label=_("An Dienststelle"), queryset=office_list())
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
        field.label_from_instance = lambda user: user.full_name  # a name, not a login


class CaseConfidentialityForm(forms.Form):
    confidentiality = forms.ChoiceField(
        label=_("Vertraulichkeit"),
        choices=[
            ("normal", _("Normal")),
            ("vertraulich", _("Vertraulich")),
            ("streng_vertraulich", _("Streng vertraulich")),
        ],
        help_text=_("Vertrauliche Vorgänge sehen nur die Bearbeitung und die Leitung der Dienststelle."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class CaseResubmissionForm(forms.Form):
    on = forms.DateField(
        label=_("Wiedervorlage am"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leer lassen, um die Wiedervorlage zu entfernen."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern for ``multiple``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple) and not data:
            data = None  # no file chosen: the field's "required" error, not an empty upload
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


MAX_SCANS_PER_UPLOAD = 50


class ScanUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Scans"),
        help_text=_(
            "Eine oder mehrere gescannte Dateien (PDF, TIFF, PNG, JPEG), je höchstens 50 MB. "
            "Der Text wird im Hintergrund erkannt und ist danach durchsuchbar."
        ),
    )

    trennblatt = forms.BooleanField(
        label=_("Mehrseitige Scans an leeren Seiten (Trennblättern) in einzelne Schreiben teilen"),
        required=False,
    )

    def clean_files(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["files"]
        if len(files) > MAX_SCANS_PER_UPLOAD:
            raise forms.ValidationError(
                _("Bitte laden Sie höchstens %(count)d Dateien auf einmal hoch."),
                params={"count": MAX_SCANS_PER_UPLOAD},
            )
        return files


class CaseNoteForm(forms.Form):
    text = forms.CharField(label=_("Notiz"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)


class BescheidForm(forms.Form):
    title = forms.CharField(label=_("Betreff des Bescheids"), max_length=300)
    addressee = forms.CharField(
        label=_("Empfänger (Anschrift)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=500,
    )
    body = forms.CharField(
        label=_("Entscheidung und Begründung"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000
    )
    with_remedy_notice = forms.BooleanField(
        label=_("Rechtsbehelfsbelehrung anfügen (Widerspruch)"), required=False, initial=True
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
