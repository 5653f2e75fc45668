"""Settings of the crash suite's child processes: the test settings with the database queue
(the test settings run tasks at once, in-process; here real workers take them from the queue)."""

from rathaus.config.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
