"""Register events and proactive offers: stored once, processed once, one click files one case."""

from __future__ import annotations

from datetime import date

import pytest

from rathaus.accounts.models import User
from rathaus.efile.models import Case
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.models import PostboxMessage
from rathaus.kernel.tasks import TaskRun
from rathaus.registers import services
from rathaus.registers.events import event_task_key
from rathaus.registers.models import MarriageRecord, Person, ProactiveOffer, RegisterEvent

from .factories import exchange_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return exchange_world()


def _citizen(person: Person) -> User:
    return User.objects.create_user(username=f"c-{person.pk}", kind=User.Kind.CITIZEN, person=person)


def _newborn(world, given: str = "Ida") -> Person:
    return Person.objects.create(
        register_number=f"HBN{given}", family_name="Ahlers", given_names=given, sex="w",
        date_of_birth=date(2026, 11, 30), address=world.mother.address, household=world.mother.household,
    )  # fmt: skip


def test_a_registered_birth_offers_kindergeld_and_elterngeld_to_the_mother_in_her_postbox(world):
    # given the mother has a citizen account
    account = _citizen(world.mother)
    # when the registry office enters a birth
    record = services.birth_register(
        child=_newborn(world), mother=world.mother, father=None, registry_office=world.standesamt,
        record_number="G 7/2026", place="Bremen", by="Standesamt (Test)",
    )  # fmt: skip
    # then the event is stored, processed, and she has both offers and two messages
    event = RegisterEvent.objects.get(kind="birth_registered", person=record.child)
    assert event.processed_at is not None
    offers = ProactiveOffer.objects.filter(person=world.mother, event=event)
    assert sorted(offers.values_list("rule_id", flat=True)) == ["elterngeld", "kindergeld"]
    messages = PostboxMessage.objects.filter(recipient=account).order_by("subject")
    assert [m.subject for m in messages] == [
        "Sie haben wahrscheinlich Anspruch auf: Elterngeld",
        "Sie haben wahrscheinlich Anspruch auf: Kindergeld",
    ]
    assert (
        "Mit einem Klick annehmen:" in messages[0].body
        and "/mein-konto/angebote/#angebot-" in messages[0].body
    )
    assert "§§ 1, 4, 7 BEEG" in messages[0].body


def test_a_duplicate_event_is_stored_once_and_processed_once(world):
    _citizen(world.mother)
    first = services.event_record(
        kind="birth_registered", person=world.child, occurred_on=world.child.date_of_birth, key="geburt-1"
    )
    again = services.event_record(
        kind="birth_registered", person=world.child, occurred_on=world.child.date_of_birth, key="geburt-1"
    )
    assert again.pk == first.pk
    assert RegisterEvent.objects.filter(key="geburt-1").count() == 1
    assert TaskRun.objects.filter(key=event_task_key(first.pk)).count() == 1
    # a second delivery of the task (a worker lost after the work) creates nothing
    assert services.event_process(event_id=first.pk) == 0
    assert ProactiveOffer.objects.filter(event=first).count() == 2
    assert PostboxMessage.objects.filter(recipient__person=world.mother).count() == 2


def test_a_deceased_parent_gets_no_offer(world):
    Person.objects.filter(pk=world.mother.pk).update(date_of_death=date(2026, 1, 2))
    event = services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    event.refresh_from_db()
    assert event.processed_at is not None
    assert not ProactiveOffer.objects.exists()


def test_a_marriage_offers_the_tax_class_choice_to_both_spouses(world):
    spouse = Person.objects.create(
        register_number="HBS1",
        family_name="Meyer",
        given_names="Ole",
        sex="m",
        date_of_birth=date(1990, 1, 1),
    )
    marriage = MarriageRecord.objects.create(
        spouse_a=world.mother, spouse_b=spouse, date=date(2026, 6, 6), registry_office=world.standesamt,
        record_number="E 1/2026",
    )  # fmt: skip
    services.marriage_event_record(marriage=marriage)
    services.marriage_event_record(marriage=marriage)
    offers = ProactiveOffer.objects.filter(rule_id="steuerklassenwahl")
    assert sorted(offers.values_list("person_id", flat=True)) == sorted([world.mother.pk, spouse.pk])


def test_accepting_files_one_case_with_the_person_at_the_responsible_office_however_often(world):
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="elterngeld")
    # when the mother accepts twice (a double click)
    first = services.offer_accept(offer_id=offer.pk, person_id=world.mother.pk, by="Maren Ahlers")
    second = services.offer_accept(offer_id=offer.pk, person_id=world.mother.pk, by="Maren Ahlers")
    # then one case exists, at the parental benefit office, about her
    case = Case.objects.get(person=world.mother)
    assert case.office == world.elterngeldstelle and case.source == "proactive"
    assert "Elterngeld" in case.subject
    assert first.case_id == second.case_id == case.pk
    assert first.aktenzeichen == case.case_file.aktenzeichen
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.ACCEPTED
    # an accepted offer cannot be declined any more
    with pytest.raises(Conflict):
        services.offer_decline(offer_id=offer.pk, person_id=world.mother.pk, by="Maren Ahlers")


def test_another_persons_offer_is_not_found(world):
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="kindergeld")
    with pytest.raises(NotFound):
        services.offer_accept(offer_id=offer.pk, person_id=world.child.pk, by="someone")
    with pytest.raises(NotFound):
        services.offer_decline(offer_id=offer.pk, person_id=world.child.pk, by="someone")
    assert not Case.objects.exists()
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.OFFERED


def test_an_offer_whose_office_is_not_set_up_is_refused_without_a_case(world):
    services.event_record(kind="moved_in", person=world.mother, occurred_on=date(2026, 4, 1))
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="bewohnerparkausweis")
    with pytest.raises(services.OfferError):
        services.offer_accept(offer_id=offer.pk, person_id=world.mother.pk, by="Maren Ahlers")
    assert not Case.objects.exists()
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.OFFERED
