from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxOfficeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.taxoffice"
    label = "taxoffice"
    verbose_name = _("Finanzamt online")

    def ready(self) -> None:
        from rathaus.kernel import audit

        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
