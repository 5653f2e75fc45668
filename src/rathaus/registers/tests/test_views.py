"""Consents and the Datenschutzcockpit in "Mein Konto": without JavaScript, own data only."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.registers import services
from rathaus.registers.models import Consent, ExchangeRecord

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


def _post(client: Client, url: str, data: dict | None = None):
    """A form post as the browser sends it: with the CSRF token of the page."""
    client.get(reverse("registers:consents"))
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_a_citizen_gives_and_withdraws_a_consent_and_the_next_request_is_refused(world):
    client = _client(world.mother)
    page = client.get(reverse("registers:consents")).content.decode()
    assert "Sie haben keine Einwilligungen erteilt" in page
    assert "Geburtsdaten des Kindes vom Standesamt an die Elterngeldstelle" in page
    # give, for the children's data only
    response = _post(
        client, reverse("registers:consent-give"), {"basis_id": "beeg-25-geburt", "categories": ["children"]}
    )
    assert response.status_code == 302
    consent = Consent.objects.get(person=world.mother)
    assert consent.categories == ["children"] and consent.to_office == world.elterngeldstelle
    page = client.get(reverse("registers:consents")).content.decode()
    assert "Elterngeld: Nachweis der Geburt ohne Geburtsurkunde" in page
    assert reverse("registers:consent-withdraw", args=[consent.pk]) in page
    # withdraw: takes effect at once
    response = _post(client, reverse("registers:consent-withdraw", args=[consent.pk]))
    assert response.status_code == 302
    with pytest.raises(services.ConsentWithdrawn):
        services.exchange_request(
            requesting_office=world.elterngeldstelle, person_id=world.mother.pk, fields=["children"],
            purpose="Elterngeld", consent_id=consent.pk,
        )  # fmt: skip
    assert "widerrufen am" in client.get(reverse("registers:consents")).content.decode()


def test_a_post_without_the_csrf_token_is_refused(world):
    client = _client(world.mother)
    response = client.post(reverse("registers:consent-give"), {"basis_id": "beeg-25-geburt"})
    assert response.status_code == 403
    assert not Consent.objects.exists()


def test_a_consent_outside_the_template_is_refused_on_the_page(world):
    client = _client(world.mother)
    response = _post(
        client, reverse("registers:consent-give"), {"basis_id": "beeg-25-geburt", "categories": ["tax_id"]}
    )
    assert response.status_code == 422
    assert "Die Einwilligung wurde nicht erteilt" in response.content.decode()
    assert not Consent.objects.exists()


def test_the_cockpit_shows_each_exchange_and_downloads_it(world):
    client = _client(world.mother)
    empty = client.get(reverse("registers:cockpit")).content.decode()
    assert "Noch keine Übermittlungen" in empty
    consent = services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test")
    services.exchange_request(
        requesting_office=world.elterngeldstelle, person_id=world.mother.pk, fields=["name", "children"],
        purpose="Elterngeld für Jonte", consent_id=consent.pk,
    )  # fmt: skip
    with pytest.raises(services.OfficeNotAllowed):
        services.exchange_request(
            requesting_office=world.finanzamt, person_id=world.mother.pk, fields=["children"],
            purpose="Neugier", legal_basis_id="estg-69-familienkasse",
        )  # fmt: skip
    page = client.get(reverse("registers:cockpit")).content.decode()
    assert "Amt für Versorgung und Integration Bremen" in page and "Elterngeld für Jonte" in page
    assert "§ 25 BEEG" in page and "mit Ihrer Einwilligung" in page
    assert "Kinder und ihre Geburtsdaten" in page
    assert "abgelehnt, nichts übermittelt" in page and "Finanzamt Bremen" in page
    download = client.get(reverse("registers:cockpit-json"))
    assert download["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.content)
    assert [e["outcome"] for e in data["exchanges"]] == ["refused", "answered"]
    answered = data["exchanges"][1]
    assert answered["requesting_office"] == "Amt für Versorgung und Integration Bremen"
    assert answered["legal_basis"] == "§ 25 BEEG" and answered["by_consent"] is True
    assert answered["fields"] == ["name", "children"]
    assert data["consents"][0]["to_office"] == "Amt für Versorgung und Integration Bremen"
    pdf = client.get(reverse("registers:cockpit-pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_cockpit_shows_only_the_own_exchanges(world):
    services.exchange_request(
        requesting_office=world.finanzamt, person_id=world.child.pk, fields=["name"],
        purpose="Kinderfreibetrag", legal_basis_id="bmg-34-grunddaten",
    )  # fmt: skip
    assert ExchangeRecord.objects.count() == 1
    client = _client(world.mother)
    assert "Kinderfreibetrag" not in client.get(reverse("registers:cockpit")).content.decode()
    assert json.loads(client.get(reverse("registers:cockpit-json")).content)["exchanges"] == []


def test_staff_and_anonymous_visitors_do_not_reach_the_pages(world):
    anonymous = Client()
    for name in ("registers:consents", "registers:cockpit", "registers:cockpit-json"):
        assert anonymous.get(reverse(name)).status_code == 302
    organisation = User.objects.create_user(username="org", kind=User.Kind.ORGANISATION)
    client = Client()
    client.force_login(organisation)
    assert client.get(reverse("registers:cockpit")).status_code == 403


def test_the_account_page_links_to_the_cockpit_and_the_consents(world):
    page = _client(world.mother).get(reverse("portal:account")).content.decode()
    assert reverse("registers:cockpit") in page and reverse("registers:consents") in page


def test_the_admin_shows_the_exchange_log_and_consents_but_never_edits_them(client, world):
    from rathaus.kernel.testing import log_in_staff

    consent = services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test")
    answer = services.exchange_request(
        requesting_office=world.elterngeldstelle, person_id=world.mother.pk, fields=["children"],
        purpose="Elterngeld", consent_id=consent.pk,
    )  # fmt: skip
    admin = User.objects.create_user(username="admin", kind=User.Kind.STAFF, is_staff=True, is_superuser=True)
    log_in_staff(client, admin)
    assert "Amt für Versorgung" in client.get("/admin/registers/exchangerecord/").content.decode()
    assert client.get(f"/admin/registers/exchangerecord/{answer.record_id}/change/").status_code == 200
    assert client.get("/admin/registers/consent/").status_code == 200
    assert client.get("/admin/registers/exchangerecord/add/").status_code == 403
    client.post(f"/admin/registers/consent/{consent.pk}/delete/", {"post": "yes"})
    assert Consent.objects.filter(pk=consent.pk).exists()
