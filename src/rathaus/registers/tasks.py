"""Background tasks of the registers (run by ``rathaus worker``; immediately in tests).

- ``register_event_process``: turn one register event into proactive offers, once (enqueued by
  ``services.event_record`` in the event's own transaction, keyed by the event).
- ``proactive_chunk``: one chunk of the daily proactive run (``rathaus registers
  proactive-run``), keyed by day and id range.

Both are atomic: their database writes commit together with the run's success, so a worker
killed in between repeats nothing twice. The services enqueue them by dotted path, so this
module imports the services and not the other way round.
"""

from __future__ import annotations

import datetime

from rathaus.kernel.tasks import rathaus_task

from . import proactive, services


@rathaus_task(retries=5, backoff_seconds=60, atomic=True)
def register_event_process(*, event_id: int) -> None:
    services.event_process(event_id=event_id)


@rathaus_task(retries=3, backoff_seconds=60, atomic=True, lease_seconds=120)
def proactive_chunk(*, day: str, first_id: int, last_id: int) -> None:
    proactive.chunk_check(day=datetime.date.fromisoformat(day), first_id=first_id, last_id=last_id)
