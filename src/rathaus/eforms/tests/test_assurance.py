"""A form needs its level of assurance: a citizen whose login reached less gets a page asking
for a login at that level (never the form, the register data or the submission), the login asks
the OpenID provider for it (``acr_values``), and after logging in at that level the form opens."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from rathaus.accounts.models import EidasLevel
from rathaus.accounts.selectors import EIDAS_SESSION_KEY
from rathaus.accounts.tests.conftest import idp_in_process  # noqa: F401 (fixture)
from rathaus.accounts.tests.factories import make_person
from rathaus.eforms.models import Application
from rathaus.payments.tests.factories import citizen_login, make_citizen

pytestmark = pytest.mark.django_db


def _query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_a_login_below_the_forms_level_gets_the_step_up_page_and_starts_nothing(client, trade_office):
    citizen_login(client, make_citizen(), level=EidasLevel.LOW)
    response = client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Vertrauensniveau „substanziell“" in page and "„niedrig“" in page
    login = _query(response.context["login_url"])
    assert login == {"next": reverse("eforms:start", args=["gewerbeanmeldung"]), "niveau": "substantial"}
    assert not Application.objects.exists()


def test_a_password_login_without_level_gets_no_form_page_no_prefill_and_no_submission(client, trade_office):
    user = make_citizen()
    citizen_login(client, user)  # the Online-Ausweis: starts the draft
    client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    application = Application.objects.get()
    citizen_login(client, user, level="")  # a later session without a level
    step = reverse("eforms:step", args=[application.public_id, "person"])
    assert client.get(step).status_code == 403
    # what is typed is still kept ...
    assert client.post(step, {"familienname": "Deich", "action": "save"}).status_code == 302
    assert Application.objects.get().raw["person"]["familienname"] == ["Deich"]
    # ... but the register is not read and nothing is submitted
    assert client.post(step, {"action": "prefill"}).status_code == 403
    summary = reverse("eforms:summary", args=[application.public_id])
    assert client.post(summary).status_code == 403
    assert Application.objects.get().status == Application.Status.DRAFT


def test_a_certificate_of_good_conduct_needs_high_and_the_start_page_says_so(client, trade_office):
    citizen_login(client, make_citizen(), level=EidasLevel.SUBSTANTIAL)
    start = client.get(reverse("eforms:start", args=["fuehrungszeugnis"])).content.decode()
    assert "mit Vertrauensniveau „hoch“ oder höher" in start
    assert client.post(reverse("eforms:begin", args=["fuehrungszeugnis"])).status_code == 403
    citizen_login(client, make_citizen(), level=EidasLevel.HIGH)
    assert client.post(reverse("eforms:begin", args=["fuehrungszeugnis"])).status_code == 302


@pytest.mark.usefixtures("idp_in_process")
def test_the_step_up_asks_the_provider_for_the_level_and_the_form_opens_after_it(client, trade_office):
    person = make_person(family_name="Oltmanns", given_names="Frauke")
    # a first login at "low" (the demo IdP offers it without a request for more)
    authorize = client.get(reverse("accounts:oidc-start"))["Location"]
    assert "acr_values" not in _query(authorize)
    callback = client.post(authorize, {"register_number": person.register_number, "acr": EidasLevel.LOW})
    client.get(callback["Location"])
    assert client.session[EIDAS_SESSION_KEY] == EidasLevel.LOW
    refused = client.post(reverse("eforms:begin", args=["gewerbeanmeldung"]))
    assert refused.status_code == 403
    # the step-up: the provider is asked for "substantial" and offers nothing lower
    authorize = client.get(refused.context["login_url"])["Location"]
    assert _query(authorize)["acr_values"] == EidasLevel.SUBSTANTIAL
    offered = client.get(authorize + "&suche=Oltmanns").content.decode()
    assert EidasLevel.SUBSTANTIAL in offered and EidasLevel.HIGH in offered and EidasLevel.LOW not in offered
    too_low = client.post(authorize, {"register_number": person.register_number, "acr": EidasLevel.LOW})
    assert too_low.status_code == 400
    callback = client.post(
        authorize, {"register_number": person.register_number, "acr": EidasLevel.SUBSTANTIAL}
    )
    back = client.get(callback["Location"])
    assert back["Location"] == reverse("eforms:start", args=["gewerbeanmeldung"])
    assert client.session[EIDAS_SESSION_KEY] == EidasLevel.SUBSTANTIAL
    assert client.post(reverse("eforms:begin", args=["gewerbeanmeldung"])).status_code == 302


def test_the_list_of_online_services_is_grouped_by_topic_and_filters_without_javascript(client):
    page = client.get(reverse("eforms:forms")).content.decode()
    assert "Gewerbe und Unternehmen" in page and "Melden und Wohnsitz" in page
    assert page.index("Gewerbeanmeldung") > page.index("Gewerbe und Unternehmen")
    found = client.get(reverse("eforms:forms"), {"q": "wohnsitz anmelden"}).content.decode()
    assert "Wohnsitz anmelden" in found and "Gewerbeanmeldung" not in found
    none = client.get(reverse("eforms:forms"), {"q": "Mondlandung"}).content.decode()
    assert "Kein Online-Antrag zu „Mondlandung“" in none and "/suche/?q=Mondlandung" in none
