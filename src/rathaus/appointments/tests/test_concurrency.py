"""A unit is never given twice, under real concurrency, on both databases."""

import json
import sqlite3

import pytest
from django.db import connection

from rathaus.appointments.models import Appointment, SlotClaim
from rathaus.kernel.testing import run_module, sqlite_file_copy

from .factories import NOW, local, planned_office
from .race import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12
COUNTERS = 3


def _check(outcome: dict[str, int], office) -> None:
    assert [k for k in outcome if k.startswith("error")] == [], outcome
    assert outcome.get("booked") == COUNTERS
    assert outcome.get("conflict") == THREADS - COUNTERS
    claims = SlotClaim.objects.filter(slot__office=office)
    # Passport: 2 units per visit.
    assert claims.count() == 2 * COUNTERS
    assert claims.values("slot").distinct().count() == claims.count()
    assert Appointment.objects.filter(office=office).count() == COUNTERS


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_racing_threads_book_each_unit_once_on_postgresql():
    """12 threads reserve the same time at an office with 3 counters: 3 win, 9 get a conflict."""
    planned = planned_office(counters=COUNTERS)
    outcome = race(
        office_id=planned.office.pk,
        service_id=planned.passport.pk,
        start=local(2026, 12, 2, 9),
        threads=THREADS,
        now=NOW,
    )
    _check(outcome, planned.office)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_racing_threads_book_each_unit_once_on_sqlite_file_database():
    """The same race on a file database with the embedded settings (WAL, BEGIN IMMEDIATE), in a child
    process whose threads each open their own connection; the test database is copied there."""
    planned = planned_office(counters=COUNTERS)
    args = [
        str(planned.office.pk),
        str(planned.passport.pk),
        local(2026, 12, 2, 9).isoformat(),
        str(THREADS),
        NOW.isoformat(),
    ]
    # In WAL mode already, as an installation's database is (see ``sqlite_file_copy``).
    with sqlite_file_copy(wal=True) as var_dir:
        outcome = json.loads(run_module("rathaus.appointments.tests.race", args, var_dir=var_dir))
        copy = sqlite3.connect(var_dir / "rathaus.sqlite3")
        try:
            claims = copy.execute(
                "SELECT COUNT(*), COUNT(DISTINCT c.slot_id) FROM appointments_slotclaim c "
                "JOIN appointments_slot s ON s.id = c.slot_id WHERE s.office_id = ?",
                (planned.office.pk,),
            ).fetchone()
        finally:
            copy.close()
    assert [k for k in outcome if k.startswith("error")] == [], outcome
    assert outcome.get("booked") == COUNTERS and outcome.get("conflict") == THREADS - COUNTERS
    assert claims == (2 * COUNTERS, 2 * COUNTERS)
