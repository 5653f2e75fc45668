"""Hostile query parameters on the E-Akte pages answer 400 with a German reason, never 500
(issue 11, finding 5: '²' passed isdigit() and failed int(); 9999-12-31 overflowed the inbox)."""

import pytest
from django.urls import reverse

from .factories import make_case, make_office, make_staff
from .test_views import _login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        {"vor": "²"},
        {"dienststelle": "٣"},
        {"vor": "99999999999999999999999"},
        {"eroeffnet_bis": "9999-12-31"},
        {"eroeffnet_von": "0001-01-01"},
    ],
)
def test_inbox_refuses_hostile_filters(client, query):
    office = make_office()
    response = _login(client, make_staff(office)).get(reverse("efile:inbox"), query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:  # a filter form error, shown on the page
        assert "liegen" in response.content.decode() or "Datum" in response.content.decode()


@pytest.mark.parametrize("query", [{"dokument": "²"}, {"dokument": "0"}, {"dokument": "1" * 30}])
def test_case_page_refuses_hostile_document_choice(client, query):
    office = make_office()
    case = make_case(office)
    response = _login(client, make_staff(office)).get(reverse("efile:case-detail", args=[case.pk]), query)
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
