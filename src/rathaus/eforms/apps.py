from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.eforms"
    label = "eforms"
    verbose_name = _("Online-Anträge")

    def ready(self) -> None:
        from rathaus.kernel import audit

        from . import checks  # noqa: F401 (registers the system check of the definitions)
        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
