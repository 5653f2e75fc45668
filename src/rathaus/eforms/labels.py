"""German labels of the eforms app's audit actions (shown in histories)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "eforms.application_started": _("Online-Antrag begonnen"),
    "eforms.application_submitted": _("Online-Antrag eingereicht"),
    "eforms.application_prefilled": _("Online-Antrag mit eigenen Daten aus dem Melderegister vorausgefüllt"),
    "eforms.application_paid": _("Gebühr des Online-Antrags bezahlt"),
    "eforms.application_filed": _("Online-Antrag der zuständigen Stelle zugestellt, Vorgang angelegt"),
    "eforms.information_requested": _("Unterlagen oder Angaben zum Online-Antrag nachgefordert"),
    "eforms.information_answered": _("Rückfrage zum Online-Antrag beantwortet"),
    "eforms.application_decided": _("Über den Online-Antrag entschieden, Bescheid zugestellt"),
}
