"""German labels of the eforms app's audit actions (shown in histories)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "eforms.application_started": _("Online-Antrag begonnen"),
    "eforms.application_submitted": _("Online-Antrag eingereicht"),
    "eforms.application_prefilled": _("Online-Antrag mit eigenen Daten aus dem Melderegister vorausgefüllt"),
    "eforms.application_paid": _("Gebühr des Online-Antrags bezahlt, Vorgang angelegt"),
}
