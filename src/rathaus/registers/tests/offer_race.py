"""Two clicks on "Annehmen" at the same moment: two threads, each with its own database
connection, meet at a barrier and accept the same offer; both must see the one case.

Used by ``test_offer_race.py``: in-process on PostgreSQL, and in a child process on a file
SQLite database (``python -m rathaus.registers.tests.offer_race OFFER PERSON``), printing the
case ids each click saw as JSON.
"""

from __future__ import annotations

import json
import sys
import threading


def double_click(*, offer_id: int, person_id: int) -> list[str]:
    from django.db import connection

    from rathaus.registers import services

    barrier = threading.Barrier(2)
    results: list[str] = []

    def click() -> None:
        try:
            barrier.wait(timeout=30)
            accepted = services.offer_accept(offer_id=offer_id, person_id=person_id, by="race")
            results.append(f"case:{accepted.case_id}")
        except Exception as error:  # reported, makes the test fail
            results.append(f"error:{type(error).__name__}:{error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return sorted(results)


def main(argv: list[str]) -> None:
    import django

    django.setup()
    offer_id, person_id = (int(value) for value in argv)
    print(json.dumps(double_click(offer_id=offer_id, person_id=person_id)))


if __name__ == "__main__":
    main(sys.argv[1:])
