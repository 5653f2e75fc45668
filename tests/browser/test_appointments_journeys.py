"""Journeys of the Terminvergabe in a real browser (issue 10: items 1, 4, 5, 11, 12).

- A newcomer goes from a service page of the demo catalogue to free times ("Termin online buchen").
- A search at an office that does not offer the service says so and leads to offices that do.
- A logged-in citizen books with the account: the page says where the confirmation went, "Mein
  Konto" lists the booking, and cancelling asks first (also without JavaScript).
- The waiting room's call display is a full-screen board with large numbers.

Each at desktop and phone width, axe-core on every page visited.
"""

import pytest

from .conftest import assert_accessible, assert_fits_width, log_in_citizen, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [pytest.param(False, id="desktop"), pytest.param(True, id="phone")]


@pytest.fixture
def catalogue(transactional_db):
    """The demo's directory catalogue with the Terminvergabe's demo planning (as after ``rathaus demo``)."""
    from rathaus.appointments.demo import load_demo as load_appointments_demo
    from rathaus.directory.demo import load_demo as load_directory_demo
    from rathaus.kernel.demo import quiet_step

    load_directory_demo(seed=1, step=quiet_step)
    load_appointments_demo(seed=1, step=quiet_step)


@pytest.fixture
def planned(transactional_db):
    from rathaus.appointments.tests.factories import planned_office

    return planned_office(every_day=True, now=None)


def _check(page, name: str, *, axe: bool = True) -> None:
    """axe-core needs JavaScript: pages of a context without it are checked for width only."""
    if axe:
        assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, name)


@pytest.mark.parametrize("phone", WIDTHS)
@pytest.mark.parametrize("service_name", ["Wohnsitz anmelden", "Reisepass für Kinder beantragen"])
def test_service_page_booking_link_leads_to_free_times(new_page, catalogue, phone, service_name):
    from rathaus.directory.models import Service

    service = Service.objects.get(name=service_name)
    page = new_page(bypass_csp=True, phone=phone)
    page.goto(service.get_absolute_url())
    _check(page, f"appt-service-{service.slug}-{'phone' if phone else 'desktop'}")
    page.get_by_role("link", name="Termin online buchen", exact=True).first.click()
    page.wait_for_url("**/termine/?*")
    assert "gültige Auswahl" not in page.content()
    assert page.locator("input[name=choice]").count() > 0
    _check(page, f"appt-search-{service.slug}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize("phone", WIDTHS)
def test_office_without_the_service_says_so_and_links_offices_that_do(new_page, catalogue, phone):
    from rathaus.directory.models import Office, Service

    service = Service.objects.get(name="Wohnsitz anmelden")
    standesamt = Office.objects.get(slug="standesamt-mitte")
    page = new_page(bypass_csp=True, phone=phone)
    page.goto(f"/termine/?service={service.pk}&office={standesamt.pk}")
    assert page.get_by_text("Diese Leistung wird hier nicht angeboten").is_visible()
    assert not page.get_by_text("jeden Morgen").count()
    _check(page, f"appt-not-offered-{'phone' if phone else 'desktop'}")
    page.get_by_role("link", name="Termine: Bürgeramt Mitte").click()
    page.wait_for_url("**/termine/?*")
    assert page.locator("input[name=choice]").count() > 0


@pytest.mark.parametrize(
    ("phone", "javascript"),
    [
        pytest.param(False, True, id="desktop-js"),
        pytest.param(True, True, id="phone-js"),
        pytest.param(True, False, id="phone-nojs"),
    ],
)
def test_citizen_books_with_account_finds_it_in_mein_konto_and_cancels_after_confirming(
    new_page, planned, live_server, settings, phone, javascript
):
    from rathaus.appointments.models import Appointment
    from rathaus.appointments.tests.factories import make_citizen

    settings.APPOINTMENTS_WAIT_SECONDS = 0
    settings.APPOINTMENTS_POW_MAX_NUMBER = 2000
    citizen = make_citizen(email="")
    page = new_page(bypass_csp=True, phone=phone, javascript=javascript)
    log_in_citizen(page, citizen, live_server.url)
    width = ("phone" if phone else "desktop") + ("" if javascript else "-nojs")
    page.goto(f"/termine/?service={planned.certify.pk}")
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Termin reservieren").click()
    page.wait_for_url("**/termine/t/**")
    page.get_by_role("button", name="Mit meinem Bürgerkonto verbindlich buchen").click()
    assert page.get_by_text("Ihr Termin ist gebucht").is_visible()
    # Says what really happened: the postbox, and no e-mail (the account has no address).
    assert page.get_by_text("Die Bestätigung liegt in Ihrem Postfach").is_visible()
    assert page.get_by_text("keine E-Mail-Adresse hinterlegt").is_visible()
    _check(page, f"appt-booked-with-account-{width}", axe=javascript)
    code = Appointment.objects.get(user=citizen).code

    page.get_by_role("link", name="Mein Konto").last.click()
    page.wait_for_url("**/mein-konto/")
    section = page.locator("section[aria-labelledby=termine]")
    assert code in section.inner_text()
    assert page.get_by_text("Ihr Termin ist bestätigt").first.is_visible()  # the postbox message
    _check(page, f"appt-mein-konto-{width}", axe=javascript)

    section.get_by_role("link", name="Stornieren").click()
    page.wait_for_url("**/stornieren/")
    assert page.get_by_role("heading", name="Termin wirklich stornieren?").is_visible()
    _check(page, f"appt-cancel-confirm-{width}", axe=javascript)
    assert Appointment.objects.get(user=citizen).status == Appointment.Status.CONFIRMED
    page.get_by_role("button", name="Ja, Termin stornieren").click()
    assert page.get_by_text("Dieser Termin wurde storniert.").is_visible()
    assert Appointment.objects.get(user=citizen).status == Appointment.Status.CANCELLED
    page.goto("/mein-konto/")
    assert page.get_by_text("Sie haben derzeit keine gebuchten Termine.").is_visible()


@pytest.mark.parametrize("phone", WIDTHS)
def test_call_display_is_a_full_screen_board_readable_from_afar(new_page, planned, phone):
    from rathaus.appointments import services
    from rathaus.appointments.tests.factories import make_staff

    clerk = make_staff(planned.office)
    for _ in range(3):
        services.walk_in_create(office=planned.office, services=[planned.certify], by=clerk)
    for counter in planned.office.counters.order_by("name"):
        services.call_next(office=planned.office, counter=counter, by=clerk)
    page = new_page(bypass_csp=True, phone=phone)
    page.goto(f"/termine/aufruf/{planned.office.slug}/")
    assert page.locator("header.app-header").count() == 0
    assert page.locator("form, nav").count() == 0
    number = page.locator(".app-call-latest__number")
    assert number.inner_text() == "W002"
    size = float(number.evaluate("el => parseFloat(getComputedStyle(el).fontSize)"))
    assert size >= (80 if phone else 200), size
    history = float(
        page.locator(".app-call-history td").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    )
    assert history >= 32, history
    _check(page, f"appt-call-display-{'phone' if phone else 'desktop'}")
    # Still live: a new call appears without reloading (htmx polls every 5 s).
    services.walk_in_create(office=planned.office, services=[planned.certify], by=clerk)
    services.call_next(office=planned.office, counter=planned.office.counters.first(), by=clerk)
    page.wait_for_function(
        "() => document.querySelector('.app-call-latest__number').textContent.trim() === 'W003'",
        timeout=12_000,
    )
