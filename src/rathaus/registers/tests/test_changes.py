"""Registers owned by their offices: moves, deaths and corrections with four eyes."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from rathaus.registers import changes, services
from rathaus.registers.models import (
    Correction,
    MarriageRecord,
    Person,
    ProactiveOffer,
    RegisterChange,
    RegisterEvent,
)

from .changes_world import changes_world, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return changes_world()


def _move(world, by, **overrides):
    args = {
        "person_id": world.family.mother.pk,
        "street": "Ostertorsteinweg",
        "house_number": "12",
        "postal_code": "28203",
        "moved_on": date(2026, 3, 1),
        "by": by,
    }
    return changes.move_register(**{**args, **overrides})


# --- moves ------------------------------------------------------------------------------------


def test_a_move_changes_address_and_household_with_history_and_emits_moved_in_once(world):
    mother = world.family.mother
    old_address = str(mother.address)
    event = _move(world, world.clerk)
    mother.refresh_from_db()
    assert str(mother.address) == "Ostertorsteinweg 12, 28203 Bremen"
    assert mother.moved_in_on == date(2026, 3, 1)
    assert mother.household.address_id == mother.address_id
    assert event.kind == "moved_in" and event.person_id == mother.pk
    rows = {row.field: row for row in RegisterChange.objects.filter(person=mother)}
    assert set(rows) == {"address", "household", "moved_in_on"}
    assert rows["address"].old_value == old_address
    assert rows["address"].new_value == "Ostertorsteinweg 12, 28203 Bremen"
    assert rows["address"].by_user_id == world.clerk.pk and rows["address"].office == world.family.buergeramt
    assert rows["address"].register == "residents" and rows["address"].kind == "move"
    # the same move registered again: one event, no new history
    assert _move(world, world.clerk2).pk == event.pk
    assert RegisterEvent.objects.filter(kind="moved_in").count() == 1
    assert RegisterChange.objects.filter(person=mother).count() == 3
    # the event's rule offers the resident parking permit
    assert ProactiveOffer.objects.filter(person=mother, rule_id="bewohnerparkausweis").exists()


def test_a_child_joins_the_household_of_its_mother(world):
    _move(world, world.clerk)
    changes.move_register(
        person_id=world.family.child.pk,
        street="Ostertorsteinweg",
        house_number="12",
        postal_code="28203",
        moved_on=date(2026, 3, 1),
        join_household_of=world.family.mother.pk,
        by=world.clerk,
    )
    child, mother = (Person.objects.get(pk=p.pk) for p in (world.family.child, world.family.mother))
    assert child.household_id == mother.household_id


def test_joining_a_household_at_another_address_is_refused(world):
    with pytest.raises(InvalidInput):
        _move(world, world.clerk, join_household_of=world.family.child.pk)  # the child lives at Am Wall
    assert Person.objects.get(pk=world.family.mother.pk).address == world.family.mother.address


def test_a_move_by_staff_not_of_the_residence_registration_office_is_refused(world):
    before = Person.objects.get(pk=world.family.mother.pk).address_id
    for outsider in (world.registrar, world.tax_clerk):
        with pytest.raises(PermissionDenied):
            _move(world, outsider)
    # a citizen, or a system actor, cannot either
    with pytest.raises(PermissionDenied):
        _move(world, audit.Actor.system("Import"))
    assert Person.objects.get(pk=world.family.mother.pk).address_id == before
    assert not RegisterChange.objects.exists() and not RegisterEvent.objects.exists()


def test_an_administrator_of_the_office_is_not_a_clerk_of_its_register(world):
    admin = staff("meldeadmin", world.family.buergeramt, "admin")
    with pytest.raises(PermissionDenied):
        _move(world, admin)


def test_a_move_for_a_deceased_person_is_refused(world):
    changes.death_register(
        person_id=world.family.mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar
    )
    with pytest.raises(Conflict) as refused:
        _move(world, world.clerk)
    assert "verstorben" in refused.value.message
    assert not RegisterEvent.objects.filter(kind="moved_in").exists()
    assert not RegisterChange.objects.filter(kind="move").exists()


@pytest.mark.parametrize(
    "bad", [{"postal_code": "2820"}, {"street": " "}, {"moved_on": date(1980, 1, 1)}, {"person_id": 0}]
)
def test_bad_move_input_is_refused_and_nothing_changes(world, bad):
    with pytest.raises((InvalidInput, NotFound)):
        _move(world, world.clerk, **bad)
    assert not RegisterChange.objects.exists() and not RegisterEvent.objects.exists()


# --- deaths -----------------------------------------------------------------------------------


def test_a_death_registered_twice_is_one_event_and_one_history_row(world):
    mother = world.family.mother
    first = changes.death_register(person_id=mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar)
    again = changes.death_register(person_id=mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar2)
    assert first.pk == again.pk and first.kind == "died"
    assert RegisterEvent.objects.filter(kind="died").count() == 1
    assert Person.objects.get(pk=mother.pk).date_of_death == date(2026, 2, 1)
    row = RegisterChange.objects.get(person=mother)
    assert (row.field, row.old_value, row.new_value, row.kind) == ("date_of_death", "", "2026-02-01", "death")
    # another date is a correction's matter
    with pytest.raises(Conflict):
        changes.death_register(person_id=mother.pk, date_of_death=date(2026, 2, 2), by=world.registrar)
    assert Person.objects.get(pk=mother.pk).date_of_death == date(2026, 2, 1)


def test_the_exchange_refuses_a_dead_person(world):
    changes.death_register(
        person_id=world.family.mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar
    )
    with pytest.raises(services.PersonDeceased):
        services.exchange_request(
            requesting_office=world.family.finanzamt,
            person_id=world.family.mother.pk,
            fields=["name"],
            purpose="Prüfung der Steuerpflicht",
            legal_basis_id="bmg-34-grunddaten",
            actor=world.tax_clerk,
        )


def test_a_death_withdraws_the_open_offers_and_ends_the_marriage(world):
    mother = world.family.mother
    husband = Person.objects.create(
        register_number="HBX9",
        family_name="Ahlers",
        given_names="Ole",
        sex="m",
        date_of_birth=date(1990, 1, 1),
        marital_status="verheiratet",
    )
    Person.objects.filter(pk=mother.pk).update(marital_status="verheiratet")
    marriage = MarriageRecord.objects.create(
        spouse_a=mother,
        spouse_b=husband,
        date=date(2020, 5, 5),
        registry_office=world.family.standesamt,
        record_number="E 1/2020",
    )
    services.event_record(kind="birth_registered", person=world.family.child, occurred_on=date(2025, 11, 20))
    assert ProactiveOffer.objects.filter(person=mother, status="offered").count() == 2
    changes.death_register(person_id=mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar)
    assert set(ProactiveOffer.objects.filter(person=mother).values_list("status", flat=True)) == {"withdrawn"}
    marriage.refresh_from_db()
    assert (marriage.ended_on, marriage.end_reason) == (date(2026, 2, 1), "death")
    assert Person.objects.get(pk=husband.pk).marital_status == "verwitwet"
    assert RegisterChange.objects.get(person=husband).field == "marital_status"
    offer = ProactiveOffer.objects.filter(person=mother).first()
    with pytest.raises(Conflict):
        services.offer_accept(offer_id=offer.pk, person_id=mother.pk, by="test")


def test_a_death_by_the_residence_registration_office_is_refused(world):
    with pytest.raises(PermissionDenied):
        changes.death_register(
            person_id=world.family.mother.pk, date_of_death=date(2026, 2, 1), by=world.clerk
        )
    assert Person.objects.get(pk=world.family.mother.pk).date_of_death is None


def test_a_birth_entered_by_staff_needs_the_registry_office(world):
    newborn = Person.objects.create(
        register_number="HBX7",
        family_name="Ahlers",
        given_names="Ida",
        sex="w",
        date_of_birth=date(2026, 1, 2),
    )
    args = {
        "child": newborn,
        "mother": world.family.mother,
        "father": None,
        "record_number": "G 2/2026",
        "place": "Bremen",
    }
    with pytest.raises(PermissionDenied):
        services.birth_register(**args, registry_office=world.family.buergeramt, by=world.clerk)
    with pytest.raises(PermissionDenied):  # a registrar, but of another office than the entry's
        services.birth_register(**args, registry_office=world.family.buergeramt, by=world.registrar)
    record = services.birth_register(**args, registry_office=world.family.standesamt, by=world.registrar)
    row = RegisterChange.objects.get(person=newborn)
    assert (row.kind, row.field, row.by_user_id) == ("birth", "birth_record", world.registrar.pk)
    assert RegisterEvent.objects.filter(key=f"birth_registered:{record.pk}").exists()


# --- corrections ------------------------------------------------------------------------------


def _propose(world, by=None, **overrides):
    args = {
        "person_id": world.family.mother.pk,
        "field": "family_name",
        "new_value": "Ahlers-Brinkmann",
        "reason": "Heiratsurkunde vorgelegt",
        "by": by or world.registrar,
    }
    return changes.correction_propose(**{**args, **overrides})


def test_a_correction_is_applied_only_after_a_second_person_approves(world):
    correction = _propose(world)
    assert correction.status == "pending" and correction.old_value == "Ahlers"
    assert Person.objects.get(pk=world.family.mother.pk).family_name == "Ahlers"  # not yet
    changes.correction_approve(correction_id=correction.pk, by=world.registrar2)
    mother = Person.objects.get(pk=world.family.mother.pk)
    assert mother.family_name == "Ahlers-Brinkmann"
    assert mother.name_key.startswith("ahlers brinkmann")
    row = RegisterChange.objects.get(person=mother)
    assert (row.kind, row.field, row.old_value, row.new_value) == (
        "correction",
        "family_name",
        "Ahlers",
        "Ahlers-Brinkmann",
    )
    assert row.by_user_id == world.registrar2.pk and row.correction_id == correction.pk
    assert row.reason == "Heiratsurkunde vorgelegt"
    correction.refresh_from_db()
    assert correction.status == "approved" and correction.decided_by_id == world.registrar2.pk


def test_a_correction_approved_by_the_same_person_who_entered_it_is_refused(world):
    correction = _propose(world)
    with pytest.raises(PermissionDenied) as refused:
        changes.correction_approve(correction_id=correction.pk, by=world.registrar)
    assert "Vier-Augen" in refused.value.message
    with pytest.raises(PermissionDenied):
        changes.correction_reject(correction_id=correction.pk, by=world.registrar)
    assert Person.objects.get(pk=world.family.mother.pk).family_name == "Ahlers"
    assert Correction.objects.get(pk=correction.pk).status == "pending"
    assert not RegisterChange.objects.exists()


def test_the_database_holds_the_four_eyes_too(world):
    correction = _propose(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Correction.objects.filter(pk=correction.pk).update(
            status="approved", decided_by_id=world.registrar.pk, decided_at=correction.proposed_at
        )


def test_corrections_by_staff_not_of_the_owning_office_are_refused(world):
    # the Bürgeramt keeps the residents' register, not the civil status register with the names
    with pytest.raises(PermissionDenied):
        _propose(world, by=world.clerk)
    with pytest.raises(PermissionDenied):
        _propose(world, by=world.tax_clerk)
    correction = _propose(world)
    for outsider in (world.clerk, world.tax_clerk):
        with pytest.raises(PermissionDenied):
            changes.correction_approve(correction_id=correction.pk, by=outsider)
    assert Person.objects.get(pk=world.family.mother.pk).family_name == "Ahlers"
    # the nationality belongs to the residents' register: the Bürgeramt corrects it, with four eyes
    nationality = _propose(world, by=world.clerk, field="nationality", new_value="pol")
    with pytest.raises(PermissionDenied):
        changes.correction_approve(correction_id=nationality.pk, by=world.registrar)
    changes.correction_approve(correction_id=nationality.pk, by=world.clerk2)
    assert Person.objects.get(pk=world.family.mother.pk).nationality == "POL"


def test_approving_twice_or_approving_a_rejected_correction_is_refused(world):
    correction = _propose(world)
    changes.correction_approve(correction_id=correction.pk, by=world.registrar2)
    with pytest.raises(Conflict):
        changes.correction_approve(correction_id=correction.pk, by=world.registrar2)
    assert RegisterChange.objects.count() == 1
    rejected = _propose(world, field="given_names", new_value="Maren Luise")
    changes.correction_reject(correction_id=rejected.pk, by=world.registrar2, note="Kein Nachweis")
    with pytest.raises(Conflict):
        changes.correction_approve(correction_id=rejected.pk, by=world.registrar2)
    assert Person.objects.get(pk=world.family.mother.pk).given_names == "Maren"
    assert Correction.objects.get(pk=rejected.pk).decision_note == "Kein Nachweis"


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("address", "Am Wall 2", "x"),  # not a correctable field
        ("tax_id", "12345678901", "x"),
        ("date_of_birth", "31.02.1992", "x"),
        ("sex", "q", "x"),
        ("family_name", "Ahlers", "x"),  # unchanged
        ("family_name", "Brinkmann", " "),  # no reason
    ],
)
def test_unknown_fields_and_bad_values_are_refused(world, field, value, reason):
    with pytest.raises(InvalidInput):
        _propose(world, field=field, new_value=value, reason=reason)
    assert not Correction.objects.exists()


def test_a_second_pending_correction_of_the_same_field_is_refused(world):
    _propose(world)
    with pytest.raises(Conflict):
        _propose(world, by=world.registrar2, new_value="Brinkmann")


def test_a_correction_overtaken_by_another_change_is_not_applied(world):
    correction = _propose(world, field="date_of_birth", new_value="1992-03-05")
    Person.objects.filter(pk=world.family.mother.pk).update(date_of_birth=date(1992, 4, 4))
    with pytest.raises(Conflict):
        changes.correction_approve(correction_id=correction.pk, by=world.registrar2)
    assert Person.objects.get(pk=world.family.mother.pk).date_of_birth == date(1992, 4, 4)


def test_a_date_correction_is_stored_as_a_date(world):
    correction = _propose(world, field="date_of_birth", new_value="1992-03-05")
    changes.correction_approve(correction_id=correction.pk, by=world.registrar2)
    assert Person.objects.get(pk=world.family.mother.pk).date_of_birth == date(1992, 3, 5)


def test_unknown_correction_is_not_found(world):
    with pytest.raises(NotFound):
        changes.correction_approve(correction_id=999_999, by=world.registrar2)


def test_the_demo_city_gives_each_register_its_offices():
    from rathaus.registers.demo.city import demo_offices_ensure, demo_register_offices_ensure
    from rathaus.registers.models import RegisterOffice

    offices = demo_offices_ensure()
    demo_register_offices_ensure(offices)
    demo_register_offices_ensure(offices)  # idempotent
    kept = set(RegisterOffice.objects.values_list("register", "office__slug"))
    assert kept == {
        ("residents", "buergeramt-mitte"),
        ("civil_status", "standesamt-mitte"),
        ("civil_status", "standesamt-nord"),
    }


def test_a_registrar_of_another_registry_office_cannot_decide_the_correction(world):
    from rathaus.directory.models import Office
    from rathaus.registers.models import Register
    from rathaus.registers.ownership import register_office_set

    nord = Office.objects.create(
        slug="standesamt-nord", name="Standesamt Bremen-Nord", kind="registry_office"
    )
    register_office_set(register=Register.CIVIL_STATUS, office=nord, by="test")
    other = staff("standesnord", nord)
    correction = _propose(world)
    with pytest.raises(PermissionDenied) as refused:
        changes.correction_approve(correction_id=correction.pk, by=other)
    assert "Standesamt Bremen-Mitte" in refused.value.message
    assert Correction.objects.get(pk=correction.pk).status == "pending"
    # while their own office may propose in the same register
    assert _propose(world, by=other, field="given_names", new_value="Maren Luise").office == nord
