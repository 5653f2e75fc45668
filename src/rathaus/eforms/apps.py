from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EformsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.eforms"
    label = "eforms"
    verbose_name = _("Online-Anträge")

    def ready(self) -> None:
        from rathaus.kernel import audit
        from rathaus.payments.services import product_register
        from rathaus.payments.types import Product

        from . import (
            checks,  # noqa: F401 (registers the system check of the definitions)
            selectors,
            services,
        )
        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
        # A fee to be paid before processing: payments files the case once it is paid (0093).
        product_register(
            Product(
                key=services.PRODUCT,
                title=_("Online-Antrag"),
                fulfil=services.application_fulfil_for_claim,
                page=selectors.application_page_for_claim,
            )
        )
