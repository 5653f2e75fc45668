"""Issue 10, items 3, 6, 13, 14 in a real browser: every kind of account logs in through the
login pages, lands on a start page that shows what it may do, and moves on through its
navigation, at 1280 px and at 390 px (the phone without JavaScript), axe-core on every page.

Staff log in with password and the current TOTP code exactly as a person types them; the
supplier with its password; the citizen through the demo identity provider.
"""

import re

import pytest

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, StaffRole
from rathaus.directory.models import Office
from rathaus.efile import services as efile_services
from rathaus.efile.tests.factories import make_case
from rathaus.registers.demo.city import DEMO_STAFF_PASSWORD, DEMO_TOTP_SECRET
from rathaus.registers.management.commands.demo_logins import current_totp

from .conftest import assert_accessible, assert_fits_width, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_AREAS = ["E-Akte", "E-Rechnung", "Termine", "Kasse", "Archiv"]
WORKING_AREAS = ["E-Akte", "E-Rechnung", "Kasse", "Archiv"]  # an office without online appointments


@pytest.fixture
def city(transactional_db):
    """The demo's kinds of staff: Bürgeramt (clerk and head, with online appointments), the
    e-invoice clerk, the cash office, the state archive; and the supplier ``lieferant``."""
    from rathaus.appointments.tests.factories import planned_office

    buergeramt = planned_office(every_day=True, now=None).office
    finanzen = Office.objects.create(slug="senator-finanzen", name="Die Senatorin für Finanzen")
    kasse = Office.objects.create(slug="landeshauptkasse", name="Landeshauptkasse Bremen")
    archiv = Office.objects.create(slug="landesarchiv", name="Staatsarchiv Bremen", kind=Office.Kind.ARCHIVE)

    def staff(username: str, office: Office, role: str = StaffRole.Role.SACHBEARBEITUNG):
        return account_services.staff_user_create(
            username=username,
            full_name=f"Demo {username.title()}",
            password=DEMO_STAFF_PASSWORD,
            office=office,
            role=role,
            totp_secret=DEMO_TOTP_SECRET,
        )

    people = {
        "buergeramt": staff("buergeramt", buergeramt),
        "buergeramt-phone": staff("buergeramt2", buergeramt),
        "leitung": staff("leitung", buergeramt, StaffRole.Role.LEITUNG),
        "erechnung": staff("erechnung", finanzen),
        "kasse": staff("kasse", kasse),
        "archiv": staff("archiv", archiv),
    }
    case = make_case(buergeramt)
    efile_services.case_assign(case=case, assignee=people["buergeramt"], by=people["buergeramt"])
    organisation = account_services.organisation_create(
        name="Bürobedarf Nord GmbH", kind=Organisation.Kind.COMPANY
    )
    account_services.organisation_user_create(
        organisation=organisation,
        username="lieferant",
        full_name="Demo Lieferant",
        email="rechnung@buerobedarf.example",
        password=DEMO_STAFF_PASSWORD,
        by=None,
    )
    return people


def _password_login(page, username: str, *, axe: bool = True) -> None:
    page.goto("/")
    page.get_by_role("link", name="Anmelden").first.click()
    page.get_by_role("link", name="Mit Benutzername und Passwort anmelden").click()
    if axe:
        assert_accessible(page)
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_STAFF_PASSWORD)
    page.get_by_role("button", name="Weiter").click()


def _staff_login(page, username: str, *, axe: bool = True) -> None:
    _password_login(page, username, axe=axe)
    page.wait_for_url("**/anmelden/mitarbeitende/code/")
    if axe:
        assert_accessible(page)
    page.get_by_label("Einmalcode").fill(current_totp())
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/mein-konto/")


def _work_areas(page, name: str = "Arbeitsbereiche") -> list[str]:
    nav = page.get_by_role("navigation", name=name)
    return [text.strip() for text in nav.get_by_role("link").all_inner_texts()]


def _walk_the_staff_navigation(page, expected: list[str], name: str, *, axe: bool = True) -> None:
    """The start page shows the queues; every area link in the header opens its page.
    axe-core needs JavaScript: without it the pages are only checked for width."""
    assert page.locator("h1").inner_text() == "Meine Arbeit"
    assert "für Bürgerinnen und Bürger" not in page.locator("main").inner_text()
    assert _work_areas(page) == ["Meine Arbeit", *expected]
    if axe:
        assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, f"accounts-{name}-start")
    for area in expected:
        nav = page.get_by_role("navigation", name="Arbeitsbereiche")
        nav.get_by_role("link", name=area, exact=True).click()
        page.wait_for_load_state()
        current = page.get_by_role("navigation", name="Arbeitsbereiche").locator("[aria-current]")
        assert current.inner_text().strip() == area, page.url
        if axe:
            assert_accessible(page)
        assert_fits_width(page)
    page.get_by_role("navigation", name="Arbeitsbereiche").get_by_role("link", name="Meine Arbeit").click()
    page.wait_for_url("**/mein-konto/")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("buergeramt", ALL_AREAS),
        ("leitung", ALL_AREAS),
        ("erechnung", WORKING_AREAS),
        ("kasse", WORKING_AREAS),
        ("archiv", WORKING_AREAS),
    ],
)
def test_staff_land_on_their_work_and_move_between_their_areas(new_page, city, username, expected):
    page = new_page(bypass_csp=True)
    _staff_login(page, username)
    if username == "buergeramt":
        queue = page.locator(".app-queue", has_text="Meine offenen Vorgänge")
        assert queue.locator(".app-queue__count").inner_text() == "1"
    if username == "kasse":
        assert page.get_by_text("Zahlungseingänge zur manuellen Zuordnung").is_visible()
    _walk_the_staff_navigation(page, expected, username)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_staff_navigation_works_on_a_phone(new_page, city, javascript):
    """A wrapping list: every area is visible and tappable at 390 px, with or without JavaScript."""
    page = new_page(bypass_csp=True, phone=True, javascript=javascript)
    _staff_login(page, "buergeramt2" if javascript else "leitung", axe=javascript)
    nav = page.get_by_role("navigation", name="Arbeitsbereiche")
    for link in nav.get_by_role("link").all():
        assert link.is_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    _walk_the_staff_navigation(page, ALL_AREAS, f"phone-{'js' if javascript else 'no-js'}", axe=javascript)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_supplier_lands_on_its_start_page_and_reaches_its_invoices(new_page, city, phone):
    """The supplier login used to dead-end on a 403 "Kein Zugriff" (issue 10, item 3)."""
    page = new_page(bypass_csp=True, phone=phone)
    _password_login(page, "lieferant")
    page.wait_for_url("**/mein-konto/")
    main = page.locator("main")
    assert page.locator("h1").inner_text() == "Mein Konto"
    assert "Demo Lieferant für Bürobedarf Nord GmbH" in main.inner_text()
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, f"accounts-lieferant-{'phone' if phone else 'desktop'}")
    main.get_by_role("link", name="E-Rechnung einreichen").click()
    page.wait_for_url("**/e-rechnung/einreichen/")
    assert_accessible(page)
    page.get_by_role("link", name="Mein Konto").first.click()
    page.wait_for_url("**/mein-konto/")
    page.locator("main").get_by_role("link", name="Meine Rechnungen und ihr Stand").click()
    page.wait_for_url("**/e-rechnung/meine/")
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    assert_fits_width(page)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_citizen_lands_on_mein_konto_through_the_demo_idp(new_page, resident, phone):
    page = new_page(bypass_csp=True, phone=phone)
    page.goto("/")
    page.get_by_role("link", name="Jetzt anmelden").click()
    page.get_by_role("link", name="Mit Bürgerkonto anmelden").click()
    page.wait_for_url(re.compile(r".*/demo-idp/authorize/.*"))
    page.get_by_label("Name oder Melderegisternummer").fill(resident.register_number)
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".kern-fieldset .kern-fieldset__body .kern-form-check").count() >= 2
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, f"accounts-demo-idp-{'phone' if phone else 'desktop'}")
    page.get_by_role("button", name="Als diese Person anmelden").click()
    page.wait_for_url("**/mein-konto/")
    assert page.locator("h1").inner_text() == "Mein Konto"
    assert page.get_by_role("navigation", name="Hauptnavigation").is_visible()
    assert page.get_by_role("navigation", name="Arbeitsbereiche").count() == 0
    assert_accessible(page)
    assert_fits_width(page)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Leistungen").click()
    page.wait_for_url("**/leistungen/")
    assert_accessible(page)


def test_staff_start_page_in_english_marks_german_names_and_dates(new_page, city):
    page = new_page(bypass_csp=True)
    _staff_login(page, "leitung")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/mein-konto/")
    assert page.locator("h1").inner_text() == "My work"
    assert _work_areas(page, "Work areas")[0] == "My work"
    office_cell = page.locator("td[lang=de]").first
    assert office_cell.inner_text().startswith("Bürgeramt")
    assert_accessible(page)
    screenshot(page, "accounts-staff-start-en")
    page.get_by_role("navigation", name="Work areas").get_by_role("link", name="Appointments").click()
    heading = page.locator("h1").inner_text()
    # "Wednesday, 2 December 2026": no German ordinal dot in English dates.
    assert re.search(
        r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{1,2} [A-Z][a-z]+ \d{4}", heading
    ), heading
    assert_accessible(page)


@pytest.fixture
def office_page(transactional_db):
    """A published Bürgeramt with weekly hours and a closing day next week."""
    import datetime

    from django.utils import timezone

    from rathaus.directory import services as directory_services

    document = {
        "format": directory_services.FORMAT,
        "offices": [
            {
                "slug": "buergeramt-test",
                "name": "Bürgeramt Test",
                "kind": "citizens_office",
                "street_address": "Am Markt 1",
                "postal_code": "28195",
                "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(5)],
            }
        ],
        "services": [],
        "life_situations": [],
    }
    directory_services.catalogue_import(document=document, publish=True)
    office = Office.objects.get(slug="buergeramt-test")
    day = timezone.localdate() + datetime.timedelta(days=5)
    office.opening_exceptions.create(day=day, reason="Betriebsausflug")
    return day


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_office_hours_table_and_dates_in_both_languages(new_page, office_page, language, phone):
    """Item 13: KERN table markup; item 14: "Mittwoch, 2. Dezember 2026" / "Wednesday,
    2 December 2026", German data marked lang="de" on the English page."""
    day = office_page
    page = new_page(bypass_csp=True, phone=phone, language=language)
    page.goto("/dienststellen/buergeramt-test/")
    table = page.locator("table.app-hours")
    assert table.locator("tbody.kern-table__body tr.kern-table__row").count() == 7
    assert table.locator("td.kern-table__cell").count() == 7
    main = page.locator("main").inner_text()
    if language == "de":
        weekday = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"]
        months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                  "Oktober", "November", "Dezember"]  # fmt: skip
        expected = f"{weekday[day.weekday()]}, {day.day}. {months[day.month - 1]} {day.year}"
    else:
        expected = f"{day:%A}, {day.day} {day:%B} {day.year}"
        assert page.locator("h1[lang=de]").inner_text() == "Bürgeramt Test"
        assert page.locator("span[lang=de]", has_text="Betriebsausflug").count() == 1
    assert expected in main, main
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, f"accounts-office-{language}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize(
    ("username", "phone"), [("buergeramt", False), ("buergeramt2", True)], ids=["desktop", "phone"]
)
def test_staff_change_their_password_from_mein_konto(new_page, city, username, phone):
    """ASVS 6.2.2: from "Meine Arbeit" to "Passwort ändern"; a wrong old password is named at its
    field, the right one changes it and the clerk stays logged in."""
    page = new_page(bypass_csp=True, phone=phone)
    _staff_login(page, username, axe=False)
    page.locator("main").get_by_role("link", name="Passwort ändern").click()
    page.wait_for_url("**/anmelden/passwort/")
    assert_accessible(page)
    assert_fits_width(page)
    new = "Schlachte bei Nacht 2026"
    page.get_by_label("Bisheriges Passwort").fill("nicht-das-richtige")
    page.get_by_label("Neues Passwort", exact=True).fill(new)
    page.get_by_label("Neues Passwort wiederholen").fill(new)
    page.get_by_role("button", name="Passwort ändern").click()
    assert "Das bisherige Passwort stimmt nicht." in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, f"accounts-password-refused-{'phone' if phone else 'desktop'}")
    page.get_by_label("Bisheriges Passwort").fill(DEMO_STAFF_PASSWORD)
    page.get_by_label("Neues Passwort", exact=True).fill(new)
    page.get_by_label("Neues Passwort wiederholen").fill(new)
    page.get_by_role("button", name="Passwort ändern").click()
    page.wait_for_url("**/mein-konto/")
    assert "Ihr Passwort wurde geändert." in page.locator("main").inner_text()
    assert_fits_width(page)
    screenshot(page, f"accounts-password-changed-{'phone' if phone else 'desktop'}")
