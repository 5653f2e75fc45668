"""Two clerks change one return at the same moment, each on its own connection: the row lock and
the status each clerk saw let exactly one through; the other is told the status changed
meanwhile, and history and postbox hold one change. PostgreSQL only: SQLite serialises writers
for the whole database, so there is no race to lose there."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from rathaus.accounts import services as account_services
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.models import PostboxMessage
from rathaus.taxoffice import services
from rathaus.taxoffice.models import TaxReturn, TaxReturnEvent

from . import factories as f

S = TaxReturn.Status


@pytest.mark.django_db(transaction=True)
def test_two_clerks_at_once_one_change_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are what is tested; SQLite locks the whole database")
    w = f.world()
    second = account_services.staff_user_create(
        username="fa-clerk2",
        full_name="Jan Ahrens",
        password=f.PASSWORD,
        office=w.office,
        role="sachbearbeitung",
    )
    owner = f.citizen()
    row = f.tax_return(w.office, owner.person)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def change(clerk, status) -> None:
        try:
            barrier.wait(timeout=30)
            services.tax_return_status_change(
                tax_return_id=row.pk, status=status, note="", by=clerk, expected_status=S.RECEIVED
            )
            result = f"won {status}"
        except Conflict as error:
            result = f"refused: {error.message}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    workers = [
        threading.Thread(target=change, args=(w.clerk, S.IN_PROCESSING)),
        threading.Thread(target=change, args=(second, S.QUERY)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(o.split(" ")[0] for o in outcomes) == ["refused:", "won"], outcomes
    assert any("inzwischen" in o for o in outcomes)
    assert TaxReturnEvent.objects.filter(tax_return_id=row.pk).count() == 2
    assert PostboxMessage.objects.filter(recipient=owner).count() == 1
