from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rathaus.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rathaus.kernel import audit

        from .labels import ACTION_LABELS

        audit.register_action_labels(ACTION_LABELS)
