from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Every audit action this app records, as people read it in a history (never the code).
ACTION_LABELS = {
    "appointments.plan_saved": _("Terminplanung gespeichert"),
    "appointments.hours_set": _("Öffnungszeiten für Termine festgelegt"),
    "appointments.exception_added": _("Abweichende Öffnungszeit eingetragen"),
    "appointments.counter_saved": _("Schalter für Termine gespeichert"),
    "appointments.hours_saved": _("Öffnungszeit für Termine gespeichert"),
    "appointments.hours_removed": _("Öffnungszeit für Termine entfernt"),
    "appointments.exception_saved": _("Abweichende Öffnungszeit gespeichert"),
    "appointments.exception_removed": _("Abweichende Öffnungszeit entfernt"),
    "appointments.offer_saved": _("Online buchbare Leistung gespeichert"),
    "appointments.offer_removed": _("Online buchbare Leistung entfernt"),
    "appointment.preconfirmed": _("Termin reserviert, Bestätigungslink verschickt"),
    "appointment.confirmed": _("Termin verbindlich gebucht"),
    "appointment.cancelled": _("Termin storniert"),
    "appointment.moved": _("Termin verschoben"),
    "appointment.checked_in": _("Besuch mit Termin angemeldet"),
    "appointment.walk_in": _("Wartenummer ohne Termin ausgegeben"),
    "appointment.called": _("Wartenummer aufgerufen"),
    "appointment.done": _("Besuch erledigt"),
    "appointment.no_show": _("Nicht erschienen"),
}


class AppointmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.appointments"
    verbose_name = _("Terminvergabe")

    def ready(self) -> None:
        from rathaus.kernel import audit

        audit.register_action_labels(ACTION_LABELS)
