from django import forms
from django.utils.translation import gettext_lazy as _


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Benutzername"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Passwort"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=_("Einmalcode"),
        regex=r"^\s*\d{6,8}\s*$",
        help_text=_("Der sechsstellige Code aus Ihrer Authenticator-App."),
        error_messages={"invalid": _("Bitte geben Sie die sechs Ziffern aus Ihrer Authenticator-App ein.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
