"""Two clerks approving the same invoice at the same moment (PostgreSQL: real parallel transactions)."""

import threading

import pytest
from django.db import connection

from rathaus.directory.models import Office
from rathaus.einvoice import workflow
from rathaus.kernel.exceptions import Conflict

from .conftest import LEITWEG_ID, make_supplier
from .workflow_helpers import make_staff, receive


@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_of_one_version_change_the_invoice_once(ubl):
    """Both send the form they saw (version 1) at once: exactly one approval wins, the other is refused."""
    if connection.vendor != "postgresql":
        pytest.skip("parallel write transactions need PostgreSQL (SQLite serialises the whole database)")
    office = Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    invoice = receive(ubl, make_supplier())
    clerks = [make_staff(office), make_staff(office)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(clerk, service):
        try:
            barrier.wait(timeout=10)
            service(invoice=invoice, by=clerk, expected_version=1)
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(clerks[0], workflow.invoice_approve_factual)),
        threading.Thread(target=approve, args=(clerks[1], workflow.invoice_approve_arithmetic)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["invoice_changed", "ok"]
    invoice.refresh_from_db()
    assert invoice.version == 2 and invoice.state in ("factually_approved", "arithmetically_approved")
