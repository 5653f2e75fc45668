from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EinvoiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.einvoice"
    verbose_name = _("E-Rechnung")

    def ready(self) -> None:
        from rathaus.kernel import audit

        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
