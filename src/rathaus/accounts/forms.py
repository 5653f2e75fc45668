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


class OrganisationApiTokenForm(forms.Form):
    """An organisation's own API key: a name, what it may do, how long it is valid."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Woran Sie den Schlüssel wiedererkennen, z. B. „Buchhaltung Rechnungsausgang“."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Berechtigungen"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "kern-form-check__checkbox"}),
        error_messages={
            "required": _("Bitte wählen Sie mindestens eine Berechtigung."),
            "invalid_choice": _("Diese Berechtigung kann hier nicht vergeben werden."),
        },
    )
    valid_days = forms.TypedChoiceField(
        label=_("Gültig für"),
        coerce=int,
        initial=90,
        error_messages={"invalid_choice": _("Bitte wählen Sie eine der angebotenen Gültigkeiten.")},
    )

    def __init__(
        self, *args: object, scopes: dict[str, str], days: tuple[int, ...], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scopes"].choices = list(scopes.items())  # type: ignore[attr-defined]
        self.fields["scopes"].initial = list(scopes) if len(scopes) == 1 else []
        self.fields["valid_days"].choices = [  # type: ignore[attr-defined]
            (str(day), _("%(days)s Tage") % {"days": day}) for day in days
        ]


class PasswordChangeForm(forms.Form):
    """A staff or organisation login's new password; the service checks the old one and the rules."""

    current = forms.CharField(
        label=_("Bisheriges Passwort"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("Neues Passwort"),
        max_length=4096,
        strip=False,
        help_text=_(
            "Mindestens 12 Zeichen, nicht nur Ziffern, kein gängiges Passwort und nicht Ihrem "
            "Benutzernamen ähnlich. Ein langer Satz ist gut zu merken."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    repeat = forms.CharField(
        label=_("Neues Passwort wiederholen"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new") and data.get("repeat") and data["new"] != data["repeat"]:
            self.add_error("repeat", _("Die beiden neuen Passwörter stimmen nicht überein."))
        return data
