"""Two people deciding the same correction at the same moment, each on its own connection: one
decision wins, the other is refused, the register changes once (PostgreSQL: threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from rathaus.kernel.exceptions import Conflict
from rathaus.registers import changes
from rathaus.registers.models import Correction, Person, RegisterChange

from .changes_world import changes_world, staff

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
    ),
]


def _at_once(*actions) -> list[str]:
    start = threading.Barrier(len(actions))
    results = [""] * len(actions)

    def run(index: int, action) -> None:
        try:
            start.wait(timeout=30)
            action()
            results[index] = "done"
        except Conflict as refusal:
            results[index] = f"refused:{refusal.code}"
        except Exception as error:  # reported, makes the test fail
            results[index] = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_an_approval_and_a_rejection_at_once_decide_once():
    world = changes_world()
    third = staff("standes3", world.family.standesamt)
    correction = changes.correction_propose(
        person_id=world.family.mother.pk, field="family_name", new_value="Brinkmann", reason="Urkunde",
        by=world.registrar,
    )  # fmt: skip
    results = _at_once(
        lambda: changes.correction_approve(correction_id=correction.pk, by=world.registrar2),
        lambda: changes.correction_reject(correction_id=correction.pk, by=third),
    )
    assert sorted(results) == ["done", "refused:correction_decided"]
    decided = Correction.objects.get(pk=correction.pk)
    applied = decided.status == "approved"
    assert Person.objects.get(pk=world.family.mother.pk).family_name == ("Brinkmann" if applied else "Ahlers")
    assert RegisterChange.objects.filter(correction=correction).count() == (1 if applied else 0)
