from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaxOfficeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.taxoffice"
    label = "taxoffice"
    verbose_name = _("Finanzamt online")
