"""A withdrawal that commits while a request is being answered wins, on both databases."""

import json
import sqlite3

import pytest
from django.db import connection

from rathaus.kernel.testing import run_module, sqlite_file_copy
from rathaus.registers import services
from rathaus.registers.models import ExchangeRecord

from .factories import exchange_world
from .race import withdraw_during_request

pytestmark = pytest.mark.django_db(transaction=True)


def _given():
    world = exchange_world()
    consent = services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test")
    return world, consent


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_a_withdrawal_during_a_request_refuses_it_on_postgresql():
    world, consent = _given()
    outcome = withdraw_during_request(
        consent_id=consent.pk, office_id=world.elterngeldstelle.pk, person_id=world.mother.pk
    )
    assert outcome == {"withdraw": "withdrawn", "request": "refused:consent_withdrawn"}
    record = ExchangeRecord.objects.get(consent=consent)
    assert record.outcome == ExchangeRecord.Outcome.REFUSED and record.fields_released == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_a_withdrawal_during_a_request_refuses_it_on_a_sqlite_file_database():
    world, consent = _given()
    args = [str(consent.pk), str(world.elterngeldstelle.pk), str(world.mother.pk)]
    with sqlite_file_copy(wal=True) as var_dir:
        outcome = json.loads(run_module("rathaus.registers.tests.race", args, var_dir=var_dir))
        copy = sqlite3.connect(var_dir / "rathaus.sqlite3")
        try:
            rows = copy.execute(
                "SELECT outcome, refusal_code FROM registers_exchangerecord WHERE consent_id = ?",
                (consent.pk,),
            ).fetchall()
        finally:
            copy.close()
    assert outcome == {"withdraw": "withdrawn", "request": "refused:consent_withdrawn"}
    assert rows == [("refused", "consent_withdrawn")]
