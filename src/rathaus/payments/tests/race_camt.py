"""Threads, each with its own database connection, import bank statement files at once.

Used by ``test_camt_race.py``: in-process on PostgreSQL, and in a child process on a file SQLite
database: ``python -m rathaus.payments.tests.race_camt BATCH FILE...`` prints the outcomes and
what ``reconcile.verify`` finds afterwards as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path


def race(files: list[Path]) -> list[str]:
    """One thread per file, meeting at a barrier before the import; each thread's outcome."""
    from django.db import connection

    from rathaus.kernel.exceptions import RathausError
    from rathaus.payments import reconcile

    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(files))

    def one(path: Path) -> None:
        try:
            data = path.read_bytes()
            barrier.wait(timeout=30)
            try:
                result = reconcile.import_camt(data=data, filename=path.name)
                outcome = f"{path.name}: {result.credits - result.duplicates} gebucht"
            except RathausError as error:
                outcome = f"{path.name}: {error.code}"
        except Exception as error:  # reported, makes the test fail
            outcome = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=one, args=(path,)) for path in files]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return sorted(outcomes)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.conf import settings

    from rathaus.payments import reconcile

    settings.RATHAUS_PAYMENTS_CAMT_BATCH = int(argv[0])
    outcomes = race([Path(name) for name in argv[1:]])
    print(json.dumps({"outcomes": outcomes, "problems": reconcile.verify()}))


if __name__ == "__main__":
    main(sys.argv[1:])
