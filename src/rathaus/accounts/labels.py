"""German labels of the audit actions accounts records (``kernel.audit.action_label``)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accounts.staff_user_created": _("Konto für Beschäftigte angelegt"),
    "accounts.password_changed": _("Passwort geändert"),
    "accounts.staff_role_granted": _("Rolle zugewiesen"),
    "accounts.citizen_account_created": _("Bürgerkonto angelegt"),
    "accounts.oidc_identity_linked": _("Online-Ausweis mit dem Konto verbunden"),
    "accounts.organisation_created": _("Organisation angelegt"),
    "accounts.organisation_user_created": _("Konto für eine Organisation angelegt"),
    "accounts.api_token_issued": _("API-Token ausgestellt"),
    "accounts.api_token_revoked": _("API-Token widerrufen"),
    "accounts.logged_in": _("Angemeldet"),
}
