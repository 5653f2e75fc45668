"""Terminvergabe in a real browser: the booking journey without JavaScript, with the proof of work,
and axe-core on the public pages."""

import re

import pytest
from django.core import mail

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planned(transactional_db):
    from rathaus.appointments.tests.factories import planned_office

    return planned_office(every_day=True, now=None)


def _search(page, planned):
    page.goto("/termine/")
    page.get_by_label("Leistung", exact=True).select_option(str(planned.certify.pk))
    page.get_by_role("button", name="Freie Termine suchen").click()
    page.wait_for_url("**/termine/?*")


def test_booking_journey_without_javascript(new_page, planned, settings):
    """Search → reserve with the waiting ticket → name and e-mail → link from the e-mail → confirmed,
    then cancel through the personal link (after a question); every step a plain form."""
    settings.APPOINTMENTS_WAIT_SECONDS = 0
    page = new_page(javascript=False)
    _search(page, planned)
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Termin reservieren").click()
    page.wait_for_url("**/termine/t/**")
    manage_url = page.url
    page.get_by_label("Vor- und Nachname").fill("Anna Becker")
    page.get_by_label("E-Mail-Adresse").fill("anna@example.org")
    page.get_by_role("button", name="Bestätigungslink senden").click()
    assert page.get_by_text("Bitte prüfen Sie Ihr E-Mail-Postfach").is_visible()
    link = re.search(r"(/termine/bestaetigen/[^/\s]+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Termin verbindlich bestätigen").click()
    page.wait_for_url(manage_url)
    assert page.get_by_text("Ihr Termin ist gebucht").is_visible()
    code = page.locator(".app-appt-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    page.get_by_role("link", name="Termin stornieren").click()
    page.get_by_role("button", name="Ja, Termin stornieren").click()
    assert page.get_by_text("Dieser Termin wurde storniert.").is_visible()


def test_proof_of_work_is_solved_by_the_script(new_page, planned, settings):
    """With JavaScript the script solves the ALTCHA challenge; the reservation needs no waiting."""
    settings.APPOINTMENTS_WAIT_SECONDS = 3600
    settings.APPOINTMENTS_POW_MAX_NUMBER = 2000
    page = new_page()
    _search(page, planned)
    page.locator("input[name=choice]").first.check()
    page.get_by_role("button", name="Termin reservieren").click()
    page.wait_for_url("**/termine/t/**")
    assert page.get_by_role("heading", name="Ihr Termin").is_visible()


@pytest.mark.parametrize("language", ["de", "en"])
def test_public_appointment_pages_have_no_axe_violations(new_page, planned, language):
    """Search form, results, the reservation page and the call display pass axe-core (WCAG 2.1 AA)."""
    page = new_page(language=language, bypass_csp=True, javascript=True)
    page.goto("/termine/")
    assert_accessible(page)
    page.goto(f"/termine/?service={planned.certify.pk}")
    assert page.locator("input[name=choice]").count() > 0
    assert_accessible(page)
    page.goto(f"/termine/aufruf/{planned.office.slug}/")
    assert_accessible(page)
    page.goto("/termine/t/1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/")
    assert_accessible(page)


def test_reservation_and_confirmation_pages_have_no_axe_violations(new_page, planned):
    from rathaus.appointments import selectors, services

    free = selectors.availability(office=planned.office, services=[planned.certify], limit=1)[0]
    _appointment, token = services.appointment_reserve(
        office=planned.office, services=[planned.certify], start=free.start
    )
    page = new_page(bypass_csp=True)
    page.goto(f"/termine/t/{token}/")
    page.get_by_role("button", name="Bestätigungslink senden").click()  # empty: the error summary
    assert page.get_by_text("Bitte korrigieren Sie Ihre Eingaben").is_visible()
    assert_accessible(page)
