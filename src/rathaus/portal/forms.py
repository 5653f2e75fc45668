"""Forms of the public portal pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.domain.text import MAX_QUERY_CHARS
from rathaus.kernel.forms import BoundedIntegerField


class SearchForm(forms.Form):
    """The one search box; long queries are cut (not refused), unknown kinds are ignored."""

    q = forms.CharField(label=_("Suchbegriff"), required=False, strip=True)
    art = forms.CharField(required=False)
    seite = BoundedIntegerField(required=False, min_value=1, max_value=500, what="Die Seite")

    def clean_q(self) -> str:
        return str(self.cleaned_data.get("q") or "")[:MAX_QUERY_CHARS]

    def clean_art(self) -> str:
        from rathaus.kernel import search

        kind = str(self.cleaned_data.get("art") or "")
        return kind if kind in {source.kind for source in search.sources()} else ""

    def clean_seite(self) -> int:
        return int(self.cleaned_data.get("seite") or 1)


class OfficeMessageForm(forms.Form):
    name = forms.CharField(label=_("Ihr Name"), max_length=200)
    email = forms.EmailField(label=_("Ihre E-Mail-Adresse"), help_text=_("Für die Antwort der Dienststelle."))
    subject = forms.CharField(label=_("Betreff"), max_length=200)
    text = forms.CharField(
        label=_("Ihre Nachricht"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Bitte schicken Sie keine Gesundheitsdaten oder Kontonummern über dieses Formular."),
    )
