"""Many threads, each on its own connection, claim a login attempt for one username at once.

``python -m rathaus.accounts.tests.race THREADS`` prints how many were let through as JSON
(used on a file SQLite database by ``test_throttling.py``; in-process on PostgreSQL).
"""

from __future__ import annotations

import json
import sys
import threading


def race(threads: int) -> dict[str, object]:
    from django.db import connection

    from rathaus.accounts import throttling

    barrier = threading.Barrier(threads)
    answers: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def guess() -> None:
        try:
            barrier.wait(timeout=30)
            answer = throttling.claim_attempt(username="victim", address="203.0.113.5", now=5000.0)
            with lock:
                answers.append(answer)
        except Exception as error:  # reported, makes the test fail
            with lock:
                errors.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return {"let_through": answers.count(0), "refused": len(answers) - answers.count(0), "errors": errors}


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(race(int(sys.argv[1]))))
