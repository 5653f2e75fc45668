"""Whether an office is open now: judged by the time of day in Bremen, not only by the date."""

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.directory import selectors
from rathaus.directory.models import Office, OpeningHours, Service

pytestmark = pytest.mark.django_db

T = dt.time
MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def office():
    office = Office.objects.create(slug="ba-heute", name="Bürgeramt Heute", status="published")
    for opens, closes in ((T(8, 0), T(12, 0)), (T(14, 0), T(18, 0))):
        OpeningHours.objects.create(office=office, weekday=0, opens=opens, closes=closes)
    return office


def berlin(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, T(hour, minute)))


@pytest.mark.parametrize(
    ("hour", "minute", "state", "change"),
    [
        (7, 30, "opens_later", T(8, 0)),
        (8, 0, "open", T(12, 0)),
        (12, 30, "opens_later", T(14, 0)),
        (17, 59, "open", T(18, 0)),
        (18, 0, "closed_for_today", None),
        (21, 15, "closed_for_today", None),
    ],
)
def test_office_state_follows_the_time_of_day(office, hour, minute, state, change):
    today = selectors.office_today(office=office, now=berlin(MONDAY, hour, minute))
    assert (today.state, today.change) == (state, change)
    assert today.open_now is (state == "open")


def test_office_state_is_judged_in_berlin_time_whatever_zone_now_is_in(office):
    """17:30 UTC in winter is 18:30 in Bremen: closed for today."""
    now = dt.datetime.combine(MONDAY, T(17, 30), tzinfo=dt.UTC)
    assert selectors.office_today(office=office, now=now).state == "closed_for_today"


def test_office_closed_all_day(office):
    sunday = MONDAY + dt.timedelta(days=6)
    assert selectors.office_today(office=office, now=berlin(sunday, 10)).state == "closed"


def test_office_page_after_closing_time_does_not_say_open_today(client):
    """Uses the real clock: the office's hours today ended a minute ago."""
    now = timezone.localtime()
    if now.time() < T(0, 5):
        pytest.skip("too close to midnight for an interval that already ended today")
    office = Office.objects.create(slug="ba-spaet", name="Bürgeramt Spät", status="published")
    closes = (now - dt.timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    OpeningHours.objects.create(office=office, weekday=now.weekday(), opens=T(0, 0), closes=closes)
    service = Service.objects.create(
        leika_key="99115001000000", slug="wohnsitz-anmelden", name="Wohnsitz anmelden", status="published"
    )
    service.offices.add(office)
    # The office's own page, the list of offices and the service page's office card.
    for url in (office.get_absolute_url(), "/dienststellen/", service.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Jetzt geschlossen" in html, url
        assert "Heute geöffnet" not in html, url
        assert "Jetzt geöffnet" not in html, url
