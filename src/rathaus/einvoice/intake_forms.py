"""Forms of the supplier pages (web upload)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class InvoiceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Rechnungsdatei"),
        help_text=_(
            "Eine XRechnung (XML, UBL oder CII) oder eine ZUGFeRD-/Factur-X-PDF-Datei mit eingebetteter "
            "Rechnung; höchstens 15 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xml,.pdf,application/xml,text/xml,application/pdf"}
        ),
    )
