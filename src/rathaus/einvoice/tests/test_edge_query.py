"""Hostile query parameters on the E-Rechnung inbox answer 400 with a reason, never 500."""

import pytest
from django.urls import reverse

from .test_staff_views import _login
from .workflow_helpers import make_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", [{"vor": "²"}, {"dienststelle": "٣"}, {"vor": "1" * 30}])
def test_inbox_refuses_hostile_parameters(client, office, query):
    response = _login(client, make_staff(office)).get(reverse("einvoice:staff-inbox"), query)
    assert response.status_code == 400
    assert "muss" in response.content.decode() or "Zahl" in response.content.decode()
