"""Many threads, each with its own database connection, reserve the same start at once.

Used by ``test_concurrency.py``: in-process on PostgreSQL, and in a child process on a file
SQLite database (the test database is in memory and shared-cache there, where threads cannot
write concurrently at all). ``python -m rathaus.appointments.tests.race OFFICE SERVICE START
THREADS`` prints the outcome as JSON.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from collections import Counter


def race(
    *, office_id: int, service_id: int, start: datetime.datetime, threads: int, now: datetime.datetime
) -> dict[str, int]:
    from django.db import connection

    from rathaus.appointments import services
    from rathaus.directory.models import Office, Service
    from rathaus.kernel.exceptions import Conflict

    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def one() -> None:
        try:
            office = Office.objects.get(pk=office_id)
            service = Service.objects.get(pk=service_id)
            barrier.wait(timeout=30)
            try:
                services.appointment_reserve(office=office, services=[service], start=start, now=now)
                outcome = "booked"
            except Conflict:
                outcome = "conflict"
        except Exception as error:  # reported, makes the test fail
            outcome = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return dict(outcomes)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    office_id, service_id, start, threads, now = argv
    result = race(
        office_id=int(office_id),
        service_id=int(service_id),
        start=datetime.datetime.fromisoformat(start),
        threads=int(threads),
        now=datetime.datetime.fromisoformat(now),
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
