from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EfileConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.efile"
    verbose_name = _("E-Akte")
