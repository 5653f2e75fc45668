"""Issue 3's done-when for scans, in a real browser: a clerk scans in (uploads) a paper letter
image, and finds it by a word of its text inside the right case; axe-core clean on each page.

In tests the task backend runs the OCR task right after the upload commits (with the
database backend, `rathaus worker` does it within seconds)."""

import pytest

from rathaus.efile.scan_samples import render_letter
from rathaus.efile.tests.factories import make_case, make_office, make_staff

from .conftest import assert_accessible, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_scans_a_letter_and_finds_it_by_a_word_of_its_text(new_page, live_server, tmp_path):
    office = make_office(name="Migrationsamt Test")
    clerk = make_staff(office)
    make_case(office, subject="Anderer Vorgang")
    case = make_case(office, subject="Aufenthalt Kowalski")
    letter = tmp_path / "brief-kowalski.png"
    letter.write_bytes(render_letter(["Freie Hansestadt Bremen", "Antrag auf Niederlassungserlaubnis"]))
    page = new_page(bypass_csp=True)
    log_in_staff(page, clerk, live_server.url)

    page.goto(f"/e-akte/vorgang/{case.pk}/")
    page.locator("#aktion-scans summary").click()  # each action is a disclosure on the case page
    page.get_by_label("Scans", exact=True).set_input_files(str(letter))
    page.get_by_role("button", name="Scans ablegen").click()
    assert "1 Scan abgelegt" in page.content()
    assert page.get_by_text("Text erkannt (durchsuchbares PDF/A)").is_visible()
    assert_accessible(page)
    screenshot(page, "efile-scan-filed")

    page.goto("/e-akte/")
    page.get_by_label("Suche in Vorgängen und Dokumenten").fill("Niederlassungserlaubnis")
    page.get_by_role("button", name="Anzeigen").click()
    assert_accessible(page)
    page.get_by_role("link", name="brief-kowalski").click()
    assert page.get_by_role("heading", name="Aufenthalt Kowalski").is_visible()
    assert case.case_file.aktenzeichen in page.content()
