"""Directory pages and the one search in a real browser: axe-core, no JavaScript, print."""

import pytest

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIRECTORY_PATHS = [
    "/",
    "/suche/?q=ummelden",
    "/suche/?q=zzzqqq",
    "/leistungen/",
    "/leistungen/wohnsitz-anmelden/",
    "/dienststellen/",
    "/dienststellen/buergeramt-mitte/",
    "/lebenslagen/",
    "/lebenslagen/geburt/",
    "/sitemap/",
]


@pytest.fixture
def catalogue(transactional_db):
    from rathaus.directory import services

    services.catalogue_import(document=services.catalogue_load_files(), publish=True)
    services.search_reindex()


@pytest.mark.parametrize("language", ["de", "en"])
def test_directory_pages_have_no_axe_violations(new_page, catalogue, language):
    """Start, search, service, office, life situation and sitemap pages pass WCAG 2.1 A/AA."""
    page = new_page(language=language, bypass_csp=True)
    for path in DIRECTORY_PATHS:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)


@pytest.fixture
def planned_catalogue(catalogue):
    """The catalogue with the demo's appointment planning: booking is offered only where an
    office really books a service online (issue 10, item 1)."""
    from rathaus.appointments.demo import load_demo
    from rathaus.kernel.demo import quiet_step

    assert "übersprungen" not in load_demo(seed=1, step=quiet_step)


def test_newcomer_finds_ummelden_without_javascript(new_page, planned_catalogue):
    """Done when: type "ummelden", open "Wohnsitz anmelden", see offices open today, follow booking."""
    page = new_page(javascript=False)
    page.goto("/")
    page.get_by_label("Was möchten Sie erledigen?").fill("ummelden")
    page.get_by_role("button", name="Suchen").click()
    first = page.locator(".app-hit__title a").first
    assert first.inner_text() == "Wohnsitz anmelden"
    first.click()
    assert page.locator("h1").inner_text() == "Wohnsitz anmelden"
    offices = page.locator(".app-office-card")
    assert offices.count() >= 3
    assert offices.first.locator(".app-today").inner_text().strip()
    screenshot(page, "service-wohnsitz-anmelden")
    booking = page.get_by_role("link", name="Termin online buchen", exact=True)
    assert booking.get_attribute("href").startswith("/termine/?service=")
    # The link works (it answered 400 for 45 of 48 services before issue 10, item 1).
    response = page.request.get(booking.get_attribute("href"))
    assert response.status == 200, response.status
    page.get_by_role("link", name="Bürgeramt Mitte").first.click()
    assert "Pelzerstraße 40" in page.locator(".app-address").first.inner_text()


def test_service_page_prints_without_navigation(new_page, catalogue):
    """Printed, the page keeps its content and drops header tools, navigation and search."""
    page = new_page()
    page.goto("/leistungen/personalausweis-beantragen/")
    page.emulate_media(media="print")
    assert page.locator(".app-nav").is_hidden()
    assert page.locator("h1").is_visible()
    assert page.locator(".app-service__facts").is_visible()
