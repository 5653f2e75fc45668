"""``rathaus registers proactive-run``: the population in keyed chunks, nothing done twice."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from rathaus.accounts.models import User
from rathaus.kernel.models import PostboxMessage
from rathaus.kernel.tasks import TaskRun
from rathaus.registers import proactive
from rathaus.registers.models import Person, ProactiveOffer, RegisterEvent

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 10)


def _person(number: str, born: date, died: date | None = None) -> Person:
    return Person.objects.create(
        register_number=number, family_name="Lürssen", given_names=number, sex="w",
        date_of_birth=born, date_of_death=died,
    )  # fmt: skip


def _run(*arguments: str) -> str:
    out = StringIO()
    call_command("registers", "proactive-run", *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_run_twice_for_the_same_day_gives_each_event_and_offer_once():
    # given a woman turning 67 on the day, one who turned 67 yesterday, a dead man born on the
    # same day, and a filler of other residents spread over several chunks
    turning = _person("HBP1", date(1959, 3, 10))
    User.objects.create_user(username="c-rente", kind=User.Kind.CITIZEN, person=turning)
    _person("HBP2", date(1959, 3, 9))
    _person("HBP3", date(1959, 3, 10), died=date(2020, 1, 1))
    for n in range(12):
        _person(f"HBF{n}", date(1980, 1, 1 + n))
    # when the run goes twice, in chunks of 5 ids
    first = _run("--date", DAY.isoformat(), "--chunk-size", "5")
    second = _run("--date", DAY.isoformat(), "--chunk-size", "5")
    # then one event and one offer, for her only
    event = RegisterEvent.objects.get()
    assert (event.kind, event.person_id, event.occurred_on) == ("turned_67", turning.pk, DAY)
    offer = ProactiveOffer.objects.get()
    assert (offer.person_id, offer.rule_id) == (turning.pk, "rentner-veranlagung")
    assert PostboxMessage.objects.filter(recipient__person=turning).count() == 1
    # the chunks are keyed by day and id range; the second run queued none of them again
    chunks = proactive.chunks_for(day=DAY, chunk_size=5)
    assert len(chunks) >= 3
    assert TaskRun.objects.filter(key__startswith=f"registers-proactive:{DAY.isoformat()}:").count() == len(
        chunks
    )
    assert f"{len(chunks)} neu eingereiht" in first and "1 Ereignisse" in first and "1 Angebote" in first
    assert "0 neu eingereiht" in second and "1 Angebote" in second


def test_a_resumed_run_does_only_the_chunks_not_done_yet():
    # given a run that crashed after queueing the first chunk only
    _person("HBP1", date(1959, 3, 10))
    for n in range(8):
        _person(f"HBF{n}", date(1980, 1, 1 + n))
    chunks = proactive.chunks_for(day=DAY, chunk_size=4)
    proactive.chunk_enqueue(day=DAY, chunk=chunks[0])
    # when it is run again
    output = _run("--date", DAY.isoformat(), "--chunk-size", "4")
    # then the other chunks are queued, the first is not, and every chunk is done
    assert f"{len(chunks) - 1} neu eingereiht, 1 schon vorhanden" in output
    assert TaskRun.objects.filter(key__in=[c.key for c in chunks], status="succeeded").count() == len(chunks)
    assert RegisterEvent.objects.count() == 1 and ProactiveOffer.objects.count() == 1


def test_an_empty_register_has_nothing_to_do():
    assert "0 Abschnitte" in _run("--date", DAY.isoformat())
