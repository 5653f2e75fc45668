"""Races, each side on its own connection: two clicks on "Annehmen" at the same moment file one
case (both databases); the same event reported twice at once is stored and processed once."""

from __future__ import annotations

import json
import sqlite3
from datetime import date

import pytest
from django.db import connection

from rathaus.efile.models import Case
from rathaus.kernel.testing import run_module, sqlite_file_copy
from rathaus.registers import services
from rathaus.registers.models import ProactiveOffer

from .factories import exchange_world
from .offer_race import double_click

pytestmark = pytest.mark.django_db(transaction=True)


def _open_offer() -> ProactiveOffer:
    world = exchange_world()
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    return ProactiveOffer.objects.get(person=world.mother, rule_id="elterngeld")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_two_simultaneous_accepts_file_one_case_on_postgresql():
    offer = _open_offer()
    results = double_click(offer_id=offer.pk, person_id=offer.person_id)
    case = Case.objects.get(person_id=offer.person_id)
    assert results == [f"case:{case.pk}", f"case:{case.pk}"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite variant")
def test_two_simultaneous_accepts_file_one_case_on_a_sqlite_file_database():
    offer = _open_offer()
    with sqlite_file_copy(wal=True) as var_dir:
        output = run_module(
            "rathaus.registers.tests.offer_race", [str(offer.pk), str(offer.person_id)], var_dir=var_dir
        )
        copy = sqlite3.connect(var_dir / "rathaus.sqlite3")
        try:
            cases = copy.execute(
                "SELECT id FROM efile_case WHERE person_id = ?", (offer.person_id,)
            ).fetchall()
        finally:
            copy.close()
    assert len(cases) == 1
    assert json.loads(output) == [f"case:{cases[0][0]}", f"case:{cases[0][0]}"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_the_same_event_reported_twice_at_once_is_stored_and_processed_once_on_postgresql():
    import threading

    from rathaus.registers.models import RegisterEvent

    world = exchange_world()
    barrier = threading.Barrier(2)
    seen: list[str] = []

    def report() -> None:
        try:
            barrier.wait(timeout=30)
            event = services.event_record(
                kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20), key="doppelt"
            )
            seen.append(f"event:{event.pk}")
        except Exception as error:  # reported, makes the test fail
            seen.append(f"error:{type(error).__name__}:{error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=report) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    event = RegisterEvent.objects.get(key="doppelt")
    assert seen == [f"event:{event.pk}", f"event:{event.pk}"]
    assert sorted(ProactiveOffer.objects.filter(event=event).values_list("rule_id", flat=True)) == [
        "elterngeld",
        "kindergeld",
    ]
