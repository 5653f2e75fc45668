from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EfileArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.efile.archive"
    label = "efile_archive"
    verbose_name = _("E-Akte: Aussonderung und Abgabe (xdomea)")

    def ready(self) -> None:
        from rathaus.kernel import audit

        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
