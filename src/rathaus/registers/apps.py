from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "rathaus.registers"
    label = "registers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from rathaus.kernel import audit

        from .changes import CHANGE_ACTION_LABELS
        from .exchange_decisions import DECISION_LABELS
        from .services import ACTION_LABELS

        # Reads of a person's register data are recorded by audit.record_read as "person.read";
        # exchanges and consents by the services.
        audit.register_action_labels(
            {
                "person.read": _("Meldedaten eingesehen"),
                **ACTION_LABELS,
                **DECISION_LABELS,
                **CHANGE_ACTION_LABELS,
            }
        )
