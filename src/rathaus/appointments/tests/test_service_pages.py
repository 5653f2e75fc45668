"""Every "Termin online buchen" link on the portal's service and office pages leads to free times.

Walks the whole demo catalogue (the directory's reviewed data files and the Terminvergabe's demo
planning), as a newcomer clicking through the portal would.
"""

import re

import pytest

from rathaus.appointments import selectors
from rathaus.appointments.demo import load_demo as load_appointments_demo
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.demo import load_demo as load_directory_demo
from rathaus.kernel.demo import quiet_step

pytestmark = pytest.mark.django_db

BOOKING_LINK = re.compile(r'href="(/termine/\?[^"]+)"')


@pytest.fixture
def catalogue():
    load_directory_demo(seed=1, step=quiet_step)
    load_appointments_demo(seed=1, step=quiet_step)


def _booking_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in BOOKING_LINK.findall(html)]


def test_every_booking_link_on_every_service_page_shows_free_times(client, catalogue):
    """A service page offers online booking only where an office offers the service online,
    and every booking link it shows answers with free times (no 400, no empty choice)."""
    bookable = {s.pk for s in selectors.bookable_services()}
    services = list(directory_selectors.published_services())
    assert len(services) > 40
    linked = 0
    for service in services:
        response = client.get(service.get_absolute_url())
        assert response.status_code == 200, service.name
        links = _booking_links(response.content.decode())
        if service.pk not in bookable:
            assert not links, f"{service.name}: booking offered, but no office books it online"
            continue
        assert links, f"{service.name}: bookable online, but the page has no booking link"
        for link in links:
            page = client.get(link)
            assert page.status_code == 200, f"{service.name}: {link} answers {page.status_code}"
            html = page.content.decode()
            assert 'name="choice"' in html, f"{service.name}: {link} shows no free time"
            linked += 1
    # The Bürgerämter book their everyday services online, e.g. "Wohnsitz anmelden".
    assert linked >= 20
    wohnsitz = next(s for s in services if s.name == "Wohnsitz anmelden")
    assert wohnsitz.pk in bookable


def test_every_booking_link_on_an_office_page_shows_free_times(client, catalogue):
    office = directory_selectors.published_office(slug="buergeramt-mitte")
    response = client.get(office.get_absolute_url())
    links = _booking_links(response.content.decode())
    assert links
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert 'name="choice"' in page.content.decode(), link


def test_a_service_by_appointment_that_no_office_books_online_refers_to_the_phone(client, catalogue):
    """The Amt für Soziale Dienste has no online booking: its page names the 115 instead of a link."""
    service = next(s for s in directory_selectors.published_services() if s.name == "Sorgeerklärung abgeben")
    assert service.by_appointment
    assert service.pk not in {s.pk for s in selectors.bookable_services()}
    html = client.get(service.get_absolute_url()).content.decode()
    assert not _booking_links(html)
    assert "telefonisch über die 115" in html
