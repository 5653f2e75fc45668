from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EfileArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.efile.archive"
    label = "efile_archive"
    verbose_name = _("E-Akte: Aussonderung und Abgabe (xdomea)")

    def ready(self) -> None:
        from rathaus.efile.labels import ARCHIVE_ACTION_LABELS
        from rathaus.kernel import audit

        audit.register_action_labels(ARCHIVE_ACTION_LABELS)
