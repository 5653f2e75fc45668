from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(*, using: str = "default", verbosity: int = 1, **_: object) -> None:
    """Create the database cache table (``settings.CACHES``) with ``migrate``, as the
    contenttypes and auth apps create their rows there; a no-op when it exists or when the
    cache is not a database cache (Redis, memory)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=verbosity)


class KernelConfig(AppConfig):
    name = "rathaus.kernel"
    label = "kernel"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from . import audit, checks  # noqa: F401 (checks: registers the deployment checks)

        # Once per migrate (sender=self), after every app's tables exist.
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="rathaus.kernel.cache_table")
        audit.register_action_labels(
            {
                "access.denied": _("Zugriff verweigert"),
                "postbox.message_sent": _("Nachricht ins Postfach gestellt"),
                "postbox.message_read": _("Postfach-Nachricht gelesen"),
                "postbox.attachment_opened": _("Anhang einer Postfach-Nachricht geöffnet"),
            }
        )
