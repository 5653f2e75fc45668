from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "rathaus.payments"
    label = "payments"
    verbose_name = _("E-Payment")

    def ready(self) -> None:
        from rathaus.kernel import audit

        from . import sandbox, services
        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
        # The sandbox payment service notifies the same function the HTTP endpoint calls.
        sandbox.connect(services.notification_outcome)
