"""A request for the fields of the person's own row is answered from the row the exchange read
(docs/decisions/0106): the same values as through the register's overview, with one read."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rathaus.registers import services
from rathaus.registers.models import Person

from .factories import exchange_world

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 1, 10)
# (office attribute of the world, basis, the person's own fields it covers, a field it covers that
# only the overview holds: asking for it too takes the overview's way)
CASES = [
    ("standesamt", "bmg-34-standesamt",
     ["name", "given_names", "family_name", "birth_name", "sex", "date_of_birth", "place_of_birth",
      "nationality", "address", "marital_status"], "spouse"),
    ("finanzamt", "ao-93c-finanzamt", ["name", "tax_id"], "income_notifications"),
    ("buergeramt", "pstg-68-meldebehoerde", ["name", "date_of_death", "marital_status"], "children"),
]  # fmt: skip


def _ask(world, office, basis, fields, person):
    return services.exchange_request(
        requesting_office=getattr(world, office),
        person_id=person.pk,
        fields=fields,
        purpose="Prüfung",
        legal_basis_id=basis,
        today=TODAY,
    )


@pytest.mark.parametrize(("office", "basis", "own", "other"), CASES)
def test_the_own_row_answer_equals_the_overview_s(office, basis, own, other):
    # given the mother (no tax id) and a man without address, with a tax id and a birth name
    world = exchange_world()
    loner = Person.objects.create(
        register_number="HBX9", family_name="Brinkmann", given_names="Ole", birth_name="Meyer", sex="m",
        date_of_birth=datetime.date(1970, 5, 6), place_of_birth="Hamburg", nationality="DEU",
        marital_status="verheiratet", tax_id="12345678901",
    )  # fmt: skip
    for person in (world.mother, loner):
        # when asked for the own fields alone, and together with a field of the overview
        alone = _ask(world, office, basis, own, person)
        overview = _ask(world, office, basis, [*own, other], person)
        # then the own fields have the same values either way
        assert alone.released == tuple(own)
        assert alone.data == {name: overview.data[name] for name in own}
    assert _ask(world, "finanzamt", "ao-93c-finanzamt", ["tax_id"], loner).data == {"tax_id": "12345678901"}


def test_an_own_row_request_reads_the_register_once():
    # given
    world = exchange_world()
    # when
    with CaptureQueriesContext(connection) as context:
        answer = _ask(
            world, "finanzamt", "bmg-34-grunddaten", ["name", "date_of_birth", "address"], world.mother
        )
    # then one read of the person (with the address), and the answer is logged as before
    reads = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith("SELECT") and "registers_" in q["sql"]
    ]
    assert len(reads) == 1 and "registers_address" in reads[0]
    assert answer.data == {
        "name": "Maren Ahlers",
        "date_of_birth": "1992-03-04",
        "address": "Am Wall 1, 28195 Bremen",
    }
    assert answer.record_id > 0
