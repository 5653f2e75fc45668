"""Proactive offers in "Mein Konto": listed, accepted or declined with one POST (no JavaScript)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.efile.models import Case
from rathaus.registers import services
from rathaus.registers.models import ProactiveOffer

from .factories import exchange_world

pytestmark = pytest.mark.django_db
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"


@pytest.fixture
def world():
    return exchange_world()


def _client(person) -> Client:
    user = User.objects.create_user(username=f"c-{person.pk}", kind=User.Kind.CITIZEN, person=person)
    client = Client(HTTP_ACCEPT_LANGUAGE="de", enforce_csrf_checks=True)
    client.force_login(user, backend=CITIZEN_BACKEND)
    return client


def _post(client: Client, url: str):
    """A form post as the browser sends it: with the CSRF token of the page."""
    client.get(reverse("registers:offers"))
    return client.post(url, {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_without_offers_the_page_says_so(world):
    page = _client(world.mother).get(reverse("registers:offers")).content.decode()
    assert "Zurzeit keine Angebote" in page


def test_the_mother_accepts_elterngeld_with_one_click_and_twice_is_one_case(world):
    client = _client(world.mother)
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="elterngeld")
    page = client.get(reverse("registers:offers")).content.decode()
    assert "Elterngeld" in page and "Kindergeld" in page and "§§ 1, 4, 7 BEEG" in page
    accept = reverse("registers:offer-accept", args=[offer.pk])
    assert f'action="{accept}"' in page
    # a POST without the CSRF token is refused
    assert client.post(accept).status_code == 403
    assert not Case.objects.exists()
    # when she clicks twice
    assert _post(client, accept).status_code == 302
    assert _post(client, accept).status_code == 302
    # then one case at the parental benefit office, shown with its Aktenzeichen
    case = Case.objects.get(person=world.mother)
    assert case.office == world.elterngeldstelle
    page = client.get(reverse("registers:offers")).content.decode()
    assert case.case_file.aktenzeichen in page


def test_declining_keeps_the_offer_without_a_case_and_a_get_changes_nothing(world):
    client = _client(world.mother)
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="kindergeld")
    decline = reverse("registers:offer-decline", args=[offer.pk])
    assert client.get(decline).status_code == 405
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.OFFERED
    assert _post(client, decline).status_code == 302
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.DECLINED
    assert not Case.objects.exists()
    assert "Abgelehnt am" in client.get(reverse("registers:offers")).content.decode()
