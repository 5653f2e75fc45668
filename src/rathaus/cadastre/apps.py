from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadastreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.cadastre"
    label = "cadastre"
    verbose_name = _("Liegenschaftskarte")

    def ready(self) -> None:
        from rathaus.kernel import audit
        from rathaus.payments.services import product_register
        from rathaus.payments.types import Product

        from . import selectors, services
        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
        # Payments delivers the extract once the fee is paid (decision 0093).
        product_register(
            Product(
                key=services.PRODUCT,
                title=_("Auszug aus der Liegenschaftskarte"),
                fulfil=services.order_fulfil_for_claim,
                page=selectors.order_page_for_claim,
            )
        )
