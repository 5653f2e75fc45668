"""A consent withdrawn while an exchange request is being answered: two threads, each with its own
database connection. The withdrawal locks the consent first and commits a moment later; the
request, started meanwhile, must wait for it and then refuse.

Used by ``test_exchange_race.py``: in-process on PostgreSQL, and in a child process on a file
SQLite database (``python -m rathaus.registers.tests.race CONSENT OFFICE PERSON``), printing the
outcome as JSON.
"""

from __future__ import annotations

import json
import sys
import threading
import time


def withdraw_during_request(*, consent_id: int, office_id: int, person_id: int) -> dict[str, str]:
    from django.db import connection, transaction

    from rathaus.directory.models import Office
    from rathaus.registers import services

    office = Office.objects.get(pk=office_id)
    locked = threading.Event()
    outcome = {"withdraw": "", "request": ""}

    def withdraw() -> None:
        try:
            with transaction.atomic():
                services.consent_withdraw(consent_id=consent_id, person_id=person_id, by="race")
                locked.set()
                # The request starts now and has to wait for this transaction to end.
                time.sleep(0.5)
            outcome["withdraw"] = "withdrawn"
        except Exception as error:  # reported, makes the test fail
            outcome["withdraw"] = f"error:{type(error).__name__}:{error}"
            locked.set()
        finally:
            connection.close()

    def request() -> None:
        try:
            locked.wait(timeout=30)
            services.exchange_request(
                requesting_office=office, person_id=person_id, fields=["children"],
                purpose="Elterngeld", consent_id=consent_id,
            )  # fmt: skip
            outcome["request"] = "answered"
        except services.ExchangeRefused as refusal:
            outcome["request"] = f"refused:{refusal.code}"
        except Exception as error:  # reported, makes the test fail
            outcome["request"] = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()

    workers = [threading.Thread(target=withdraw), threading.Thread(target=request)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return outcome


def main(argv: list[str]) -> None:
    import django

    django.setup()
    consent_id, office_id, person_id = (int(value) for value in argv)
    print(
        json.dumps(withdraw_during_request(consent_id=consent_id, office_id=office_id, person_id=person_id))
    )


if __name__ == "__main__":
    main(sys.argv[1:])
