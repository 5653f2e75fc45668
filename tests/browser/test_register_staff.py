"""The register offices' staff pages in a real browser: accessible, and a correction proposed by
one person and approved by another without JavaScript."""

import pytest

from rathaus.registers.models import Correction, Person
from rathaus.registers.tests.changes_world import changes_world

from .conftest import assert_accessible, assert_fits_width, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_correction_with_four_eyes_without_javascript_and_no_axe_violations(new_page, live_server):
    world = changes_world()
    mother = world.family.mother
    # the forms are plain: JavaScript off
    plain = new_page(javascript=False)
    log_in_staff(plain, world.registrar, live_server.url)
    plain.goto(f"/register/?nummer={mother.register_number}")
    assert "Maren Ahlers" in plain.locator("h1").inner_text()
    plain.select_option("#berichtigung-field", "given_names")
    plain.fill("#berichtigung-new_value", "Maren Luise")
    plain.fill("#berichtigung-reason", "Geburtsurkunde vorgelegt")
    plain.locator("form[action*='/berichtigung/'] button").click()
    plain.wait_for_url(f"**/register/personen/{mother.pk}/**")
    assert "zweite Person" in plain.locator("main").inner_text()
    correction = Correction.objects.get()
    log_in_staff(plain, world.registrar2, live_server.url)
    plain.goto("/register/")
    plain.locator(f"form[action$='/berichtigungen/{correction.pk}/freigeben/'] button").click()
    plain.wait_for_url("**/register/**")
    assert Person.objects.get(pk=mother.pk).given_names == "Maren Luise"
    # every page passes axe (which needs JavaScript to run)
    page = new_page(bypass_csp=True)
    log_in_staff(page, world.registrar, live_server.url)
    page.goto(f"/register/personen/{mother.pk}/")
    assert "Maren Luise" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "register-person-de")
    pending = Correction.objects.create(
        person=mother, register="civil_status", office=world.family.standesamt, field="birth_name",
        old_value="", new_value="Brinkmann", reason="Urkunde", proposed_by_id=world.registrar2.pk,
        proposed_by_name="Standes2 Test",
    )  # fmt: skip
    page.goto("/register/")
    assert page.locator(f"form[action$='/berichtigungen/{pending.pk}/freigeben/']").count() == 1
    assert_accessible(page)
    screenshot(page, "register-pending-de")


def test_the_person_page_fits_a_phone(new_page, live_server):
    world = changes_world()
    page = new_page(phone=True)
    log_in_staff(page, world.clerk, live_server.url)
    page.goto(f"/register/personen/{world.family.mother.pk}/")
    assert_fits_width(page)
