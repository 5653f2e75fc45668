"""The register offices' staff pages: audited reading, corrections with four eyes, refusals in German."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.kernel.audit import entries_for_target
from rathaus.kernel.testing import CITIZEN_BACKEND, log_in, log_in_staff
from rathaus.registers import changes
from rathaus.registers.models import Correction, Person, RegisterChange

from .changes_world import changes_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return changes_world()


def _client(user) -> Client:
    return log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), user)


def test_the_person_page_is_read_with_purpose_in_the_audit_log_and_shows_the_history(world):
    mother = world.family.mother
    changes.death_register(person_id=mother.pk, date_of_death=date(2026, 2, 1), by=world.registrar)
    page = _client(world.registrar2).get(reverse("register:person", args=[mother.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Maren Ahlers" in text and "Sterbedatum" in text and "2026-02-01" in text
    assert "Standesamt Bremen-Mitte" in text
    read = entries_for_target("registers.person", mother.pk).get(action="person.read")
    assert read.actor_id == str(world.registrar2.pk)
    assert read.purpose.startswith("Registerführung") and "BMG" in read.legal_basis


def test_the_register_number_search_opens_the_entry_or_says_it_is_unknown(world):
    client = _client(world.clerk)
    found = client.get(reverse("register:index"), {"nummer": "hbx1"})
    assert found.status_code == 302 and found.url == reverse("register:person", args=[world.family.mother.pk])
    missing = client.get(reverse("register:index"), {"nummer": "HB000"})
    assert missing.status_code == 404 and "Keine Person mit dieser Registernummer" in missing.content.decode()


def test_pages_are_for_staff_of_a_register_office_only(world):
    url = reverse("register:person", args=[world.family.mother.pk])
    assert _client(world.tax_clerk).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the staff login
    citizen = User.objects.create_user(username="buerger", kind=User.Kind.CITIZEN, person=world.family.mother)
    assert log_in(Client(), citizen, backend=CITIZEN_BACKEND).get(url).status_code == 403
    assert (
        not entries_for_target("registers.person", world.family.mother.pk)
        .filter(action="person.read")
        .exists()
    )


def test_a_correction_proposed_and_approved_by_two_people_through_the_pages(world):
    mother = world.family.mother
    proposer, approver = _client(world.registrar), _client(world.registrar2)
    response = proposer.post(
        reverse("register:correction-propose", args=[mother.pk]),
        {"field": "given_names", "new_value": "Maren Luise", "reason": "Geburtsurkunde vorgelegt"},
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    # the proposer sees it pending, without buttons to decide it
    own = proposer.get(reverse("register:index")).content.decode()
    assert "Von Ihnen vorgeschlagen" in own
    assert reverse("register:correction-approve", args=[correction.pk]) not in own
    # the second person sees the buttons and approves
    queue = approver.get(reverse("register:index")).content.decode()
    assert reverse("register:correction-approve", args=[correction.pk]) in queue
    assert approver.post(reverse("register:correction-approve", args=[correction.pk])).status_code == 302
    assert Person.objects.get(pk=mother.pk).given_names == "Maren Luise"
    history = approver.get(reverse("register:person", args=[mother.pk])).content.decode()
    assert "Maren Luise" in history and "Berichtigung" in history


def test_the_same_person_approving_is_refused_with_a_german_message_and_nothing_changes(world):
    correction = changes.correction_propose(
        person_id=world.family.mother.pk,
        field="family_name",
        new_value="Brinkmann",
        reason="Urkunde",
        by=world.registrar,
    )
    response = _client(world.registrar).post(reverse("register:correction-approve", args=[correction.pk]))
    assert response.status_code == 403
    assert "Vier-Augen-Prinzip" in response.content.decode()
    assert Person.objects.get(pk=world.family.mother.pk).family_name == "Ahlers"
    assert Correction.objects.get(pk=correction.pk).status == "pending"


def test_a_bad_correction_is_shown_with_its_reason_and_not_stored(world):
    response = _client(world.registrar).post(
        reverse("register:correction-propose", args=[world.family.mother.pk]),
        {"field": "date_of_birth", "new_value": "31.02.1992", "reason": "Urkunde"},
    )
    assert response.status_code == 422
    assert "gültiges Datum" in response.content.decode()
    # a field the form does not offer (not correctable, or of another register) is refused too
    other = _client(world.clerk).post(
        reverse("register:correction-propose", args=[world.family.mother.pk]),
        {"field": "family_name", "new_value": "Brinkmann", "reason": "Urkunde"},
    )
    assert other.status_code == 422
    assert not Correction.objects.exists()


def test_a_move_through_the_page_and_a_move_of_a_dead_person_refused(world):
    mother, child = world.family.mother, world.family.child
    client = _client(world.clerk)
    form = {
        "street": "Ostertorsteinweg",
        "house_number": "12",
        "postal_code": "28203",
        "moved_on": "2026-03-01",
    }
    assert client.post(reverse("register:move", args=[mother.pk]), form).status_code == 302
    assert str(Person.objects.get(pk=mother.pk).address).startswith("Ostertorsteinweg 12")
    changes.death_register(person_id=child.pk, date_of_death=date(2026, 2, 1), by=world.registrar)
    refused = client.post(reverse("register:move", args=[child.pk]), form)
    assert refused.status_code == 409 and "verstorben" in refused.content.decode()
    assert not RegisterChange.objects.filter(person=child, kind="move").exists()


def test_a_death_through_the_page_needs_the_registry_office(world):
    url = reverse("register:death", args=[world.family.mother.pk])
    refused = _client(world.clerk).post(url, {"date_of_death": "2026-02-01"})
    assert refused.status_code == 403 and "Personenstandsregister" in refused.content.decode()
    assert _client(world.registrar).post(url, {"date_of_death": "2026-02-01"}).status_code == 302
    assert Person.objects.get(pk=world.family.mother.pk).date_of_death == date(2026, 2, 1)


def test_the_staff_start_page_counts_the_corrections_awaiting_the_user(world):
    changes.correction_propose(
        person_id=world.family.mother.pk,
        field="family_name",
        new_value="Brinkmann",
        reason="Urkunde",
        by=world.registrar,
    )
    approver = _client(world.registrar2).get(reverse("portal:account")).content.decode()
    assert reverse("register:index") in approver
    assert "Berichtigungen, die auf Ihre Freigabe warten" in approver
    assert (
        "Berichtigungen, die auf Ihre Freigabe warten"
        not in _client(world.tax_clerk).get(reverse("portal:account")).content.decode()
    )
