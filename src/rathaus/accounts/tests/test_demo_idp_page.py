"""The demo IdP's choice of person and level uses KERN's fieldset and radio markup."""

import pytest
from django.urls import reverse

from .factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("idp_in_process")]


def test_the_person_and_level_radios_sit_in_kern_fieldsets(client):
    person = make_person(family_name="Oltmanns", given_names="Frauke")
    authorize_url = client.get(reverse("accounts:oidc-start"))["Location"]
    html = client.get(authorize_url + "&suche=Oltmanns").content.decode()
    assert html.count('<div class="kern-fieldset__body">') == 2
    radios = html.count('class="kern-form-check__radio"')
    assert radios >= 2 and html.count('<div class="kern-form-check">') == radios
    assert "Frauke Oltmanns, geboren am 07.03.1984 <span" in html
    assert person.register_number in html
