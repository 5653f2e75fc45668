"""Settings of the crash suite's child processes: the test settings with the database queue
(the test settings run tasks at once, in-process; here real workers take them from the queue)
and one blob store shared by all of a scenario's processes (the test settings give each process
its own temporary one)."""

import os

from rathaus.config.settings.test import *  # noqa: F403
from rathaus.config.settings.test import STORAGES

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if os.environ.get("RATHAUS_CRASH_BLOBS"):
    STORAGES["blobs"]["OPTIONS"]["location"] = os.environ["RATHAUS_CRASH_BLOBS"]
# The scenarios send a few hundred writes a minute from one address with one token.
RATHAUS_API_RATE_PER_MINUTE = 100_000
APPOINTMENTS_RESERVE_RATE = (100_000, 60)
# Bank statements are booked in batches of this many credits, one transaction each (decision
# 0094): small, so the camt scenario's kill lands between batches and the import is continued.
RATHAUS_PAYMENTS_CAMT_BATCH = 4
