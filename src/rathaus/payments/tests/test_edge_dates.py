"""The HKR export refuses periods at the ends of the calendar with a 400 instead of crashing
(issue 11, finding 5: 9999-12-31 has no next day; 0001-01-01 in Berlin has no UTC instant)."""

import datetime

import pytest
from django.urls import reverse

from rathaus.kernel.exceptions import InvalidInput
from rathaus.payments import reconcile

from .factories import make_staff, setup_payments, staff_login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime.date(2026, 12, 1), datetime.date(9999, 12, 31)),
        (datetime.date(1, 1, 1), datetime.date(2026, 12, 1)),
        (datetime.date(1, 1, 1), datetime.date(1, 1, 1)),
    ],
)
def test_hkr_export_refuses_periods_beyond_the_calendar(start, end):
    with pytest.raises(InvalidInput, match="Der Zeitraum muss zwischen"):
        reconcile.hkr_export(start=start, end=end)


@pytest.mark.parametrize(
    "query", [{"von": "2026-12-01", "bis": "9999-12-31"}, {"von": "0001-01-01"}, {"bis": "0001-01-01"}]
)
def test_hkr_export_page_answers_400_for_far_dates(client, query):
    offices = setup_payments()
    staff_login(client, make_staff(offices["cash"]))
    response = client.get(reverse("payments:staff-hkr"), query)
    assert response.status_code == 400
    assert "Zeitraum" in response.content.decode()
