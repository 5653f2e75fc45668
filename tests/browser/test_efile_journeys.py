"""Issue 10, items 7, 10 and 13 for the E-Akte, in a real browser: the Bürgeramt's clerk
(demo user ``buergeramt``) opens a case from the inbox, reads a document in the viewer, adds a
note, fails an action on purpose and finds the error next to that action with the focus on it;
at 1280 px and at 390 px (also without JavaScript), axe-core on every page, nothing wider than
the screen."""

import time

import pytest

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, StaffRole
from rathaus.directory.models import Office
from rathaus.efile import services as efile_services
from rathaus.efile.tests.factories import make_case, make_text_pdf
from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET

from .conftest import assert_accessible, assert_fits_width, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(transactional_db):
    """The demo's Bürgeramt Mitte with its clerk ``buergeramt`` and one case with a letter."""
    office = Office.objects.create(slug="buergeramt-mitte", name="Bürgeramt Mitte")
    clerk = account_services.staff_user_create(
        username="buergeramt",
        full_name="Frauke Tietjen",
        password=DEMO_STAFF_PASSWORD,
        office=office,
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=DEMO_TOTP_SECRET,
    )
    organisation = account_services.organisation_create(
        name="Hausverwaltung Weserblick GmbH", kind=Organisation.Kind.COMPANY
    )
    case = make_case(office, subject="Wohnungsgeberbestätigung Weserblick", organisation=organisation)
    efile_services.case_assign(case=case, assignee=clerk, by=clerk)
    efile_services.document_add(
        case=case,
        title="Wohnungsgeberbestaetigung Weserblick 12",
        content=make_text_pdf("Wohnungsgeberbestaetigung nach Paragraph 19 BMG"),
        filename="wohnungsgeberbestaetigung-weserblick-12-erdgeschoss-links.pdf",
        by=clerk,
    )
    return clerk, case


def _comes_into_view(page, locator, seconds: float = 5) -> bool:
    """KERN scrolls smoothly: wait until the element's top is inside the viewport."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box and 0 <= box["y"] < page.viewport_size["height"]:
            return True
        time.sleep(0.1)
    return False


def _check(page, name: str, *, javascript: bool) -> None:
    assert_fits_width(page)
    if javascript:  # axe-core is a script; the same pages are checked in the runs with JavaScript
        assert_accessible(page)
    screenshot(page, name)


@pytest.mark.parametrize(
    ("phone", "javascript"),
    [(False, True), (True, True), (True, False)],
    ids=["desktop", "phone", "phone-no-js"],
)
def test_clerk_reads_a_document_adds_a_note_and_sees_a_failed_action_s_error_beside_it(
    new_page, live_server, desk, phone, javascript
):
    clerk, case = desk
    name = "efile-" + ("phone" if phone else "desktop") + ("" if javascript else "-nojs")
    page = new_page(bypass_csp=True, phone=phone, javascript=javascript)
    log_in_staff(page, clerk, live_server.url)

    # given the inbox, the clerk opens the case
    page.goto("/e-akte/")
    _check(page, f"{name}-inbox", javascript=javascript)
    page.get_by_role("link", name="Wohnungsgeberbestätigung Weserblick").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Wohnungsgeberbestätigung Weserblick"
    summary = page.locator(".app-efile-summary").inner_text()
    for fact in (
        case.case_file.aktenzeichen,
        "Frauke Tietjen",
        "Bürgeramt Mitte",
        "Hausverwaltung Weserblick",
    ):
        assert fact in summary
    # A workbench, not a stack of nine forms: every action is a closed disclosure.
    assert page.locator("details.app-efile-action[open]").count() == 0
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < (2600 if phone else 1800), f"the case page is {height}px high"
    _check(page, f"{name}-case", javascript=javascript)

    # when they open the letter, its page is shown in the viewer
    page.get_by_role("link", name="Wohnungsgeberbestaetigung Weserblick 12").click()
    viewer = page.locator("#betrachter")
    image = viewer.get_by_role("img", name="Seite 1 von 1: Wohnungsgeberbestaetigung Weserblick 12")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.bounding_box()["width"] <= page.viewport_size["width"]
    # The 64-character SHA-256 and the long file name wrap instead of widening the page.
    page.locator(".app-efile-versions summary").first.click()
    assert page.locator(".app-efile-hash").first.is_visible()
    _check(page, f"{name}-viewer", javascript=javascript)

    # and add a note
    page.locator("#aktion-notiz summary").click()
    page.get_by_label("Notiz", exact=True).fill("Wohnungsgeber telefonisch bestätigt.")
    page.get_by_role("button", name="Notiz speichern").click()
    assert "tab=notizen" in page.url
    assert page.get_by_text("Wohnungsgeber telefonisch bestätigt.").is_visible()
    assert page.get_by_role("link", name="Notizen (1)").get_attribute("aria-current") == "page"
    _check(page, f"{name}-note", javascript=javascript)

    # then a resubmission in the past fails: the error is in that action, open and focused
    page.locator("#aktion-wiedervorlage summary").click()
    page.get_by_label("Wiedervorlage am").fill("2020-01-01")
    page.get_by_role("button", name="Wiedervorlage speichern").click()
    disclosure = page.locator("details#aktion-wiedervorlage")
    assert disclosure.get_attribute("open") is not None
    error = disclosure.locator(".app-error-summary")
    assert error.is_visible() and "Wiedervorlage am" in error.inner_text()
    assert page.url.endswith("#aktion-wiedervorlage-fehler")
    assert page.evaluate("document.activeElement.id") == "aktion-wiedervorlage-fehler"
    assert _comes_into_view(page, error), "the error is out of sight"
    assert page.locator("details.app-efile-action[open]").count() == 1
    _check(page, f"{name}-error", javascript=javascript)

    # the history speaks German
    page.get_by_role("link", name="Verlauf").click()
    history = page.locator("table").inner_text()
    assert "Notiz hinzugefügt" in history and "Dokument angesehen" in history
    assert "Frauke Tietjen" in history and "efile." not in history
    _check(page, f"{name}-history", javascript=javascript)
