"""At the moment a hold lapses: its owner confirms (or cancels, or gives the details) while another
citizen reserves the same unit. The lapse is decided once; a unit never has two live
appointments, a confirmed appointment always keeps its claims, and nobody gets an error (issue 20).

Real threads meeting at a barrier, many rounds: on PostgreSQL in-process, on SQLite in a child
process on a file copy of the test database (see ``race.py``).
"""

import json

import pytest
from django.db import connection

from rathaus.kernel.testing import run_module, sqlite_file_copy

from .factories import NOW, planned_office
from .race import lapse_race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 30
PAIRS = 3
# What each pair (owner/other) may end with: the lapse is decided once, either way.
ALLOWED = {
    "verify": {"confirmed/slot_taken", "hold_expired/booked"},
    "cancel": {"cancelled/booked", "not_cancellable/booked"},
    "preconfirm": {"hold_expired/booked"},
}
MODES = sorted(ALLOWED)


def _check(mode: str, result: dict) -> None:
    outcomes = result["outcomes"]
    assert sum(outcomes.values()) == ROUNDS * PAIRS
    assert set(outcomes) <= ALLOWED[mode], outcomes
    assert result["units_live_twice"] == 0, result
    assert result["confirmed_without_claims"] == 0, result


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
@pytest.mark.parametrize("mode", MODES)
def test_lapse_is_decided_once_on_postgresql(mode):
    """``verify`` is the double booking of issue 20 (owner confirms 1 s before the hold ends,
    another reserves 1 s after); ``cancel`` and ``preconfirm`` met the reservation's lapse in
    opposite lock order (deadlock, answered 500)."""
    planned = planned_office(counters=1)
    result = lapse_race(
        mode=mode,
        office_id=planned.office.pk,
        service_id=planned.certify.pk,
        rounds=ROUNDS,
        pairs=PAIRS,
        now=NOW,
    )
    _check(mode, result)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
@pytest.mark.parametrize("mode", MODES)
def test_lapse_is_decided_once_on_sqlite_file_database(mode):
    planned = planned_office(counters=1)
    args = ["lapse", mode, str(planned.office.pk), str(planned.certify.pk), str(ROUNDS), str(PAIRS)]
    with sqlite_file_copy(wal=True) as var_dir:
        line = run_module("rathaus.appointments.tests.race", [*args, NOW.isoformat()], var_dir=var_dir)
    _check(mode, json.loads(line))
