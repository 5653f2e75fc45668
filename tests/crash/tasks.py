"""Tasks the crash suite's workers run. Each start is written to the file named in
``RATHAUS_CRASH_LOG`` (one line "start <key> <pid>", appended before the function's transaction
begins), so the suite sees every execution, also those of workers it killed. ``name`` is the
run's key."""

from __future__ import annotations

import os
import time

from rathaus.kernel import audit
from rathaus.kernel.tasks import rathaus_task

LEASE_SECONDS = 2


def _log(event: str, key: str) -> None:
    with open(os.environ["RATHAUS_CRASH_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{event} {key} {os.getpid()}\n")
        log.flush()
        os.fsync(log.fileno())


@rathaus_task(retries=5, backoff_seconds=0, lease_seconds=LEASE_SECONDS, atomic=True)
def write_pair(*, name: str, pause: float) -> None:
    """Two audit entries in one transaction, ``pause`` seconds apart (the moment to be killed
    in). Not idempotent by itself: ``atomic=True`` makes the pair and the run's success commit
    together, so the pair exists once per ``name`` however often a worker dies."""
    _log("start", name)
    target = ("crash", name)
    details = {"pid": os.getpid()}
    audit.record(actor="Crash-Test", action="crash.first", target=target, details=details)
    time.sleep(pause)
    audit.record(actor="Crash-Test", action="crash.second", target=target, details=details)


@rathaus_task(retries=5, backoff_seconds=0, lease_seconds=LEASE_SECONDS)
def outlast_the_lease(*, name: str, seconds: float) -> None:
    """Runs longer than its lease; idempotent (the entry is written once per ``name``)."""
    _log("start", name)
    time.sleep(seconds)
    if not audit.entries_for_target("crash", name).exists():
        audit.record(
            actor="Crash-Test", action="crash.long", target=("crash", name), details={"pid": os.getpid()}
        )
