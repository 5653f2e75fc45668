"""Public pages in a real browser: accessibility (axe-core), CSP, working without JavaScript."""

import pytest

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PATHS = [
    "/",
    "/impressum/",
    "/datenschutz/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/kontakt/",
    "/anmelden/",
    "/anmelden/mitarbeitende/",
]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_has_no_axe_violations(new_page, path, language):
    """Every public page passes axe-core's WCAG 2.1 A/AA rules, in German and in English."""
    page = new_page(language=language, bypass_csp=True)
    response = page.goto(path)
    assert response is not None and response.status == 200
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_public_page_loads_without_csp_violations_or_console_errors(new_page, path):
    """With the real CSP in force, nothing is blocked: no inline code, all assets from 'self'."""
    page = new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert problems == []


def test_start_page_screenshot_looks_like_kern(new_page):
    """KERN's stylesheet is applied (Fira Sans, KERN buttons) – and a screenshot to look at."""
    page = new_page()
    page.goto("/")
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Fira Sans" in font
    assert page.evaluate("document.fonts.check('16px \"Fira Sans\"')")
    screenshot(page, "start-page-de")
    mobile = new_page()
    mobile.set_viewport_size({"width": 390, "height": 844})
    mobile.goto("/")
    screenshot(mobile, "start-page-de-mobile")


def test_skip_link_is_first_and_moves_focus_to_main(new_page):
    """The first Tab reaches "Zum Inhalt springen"; Enter moves to the main content."""
    page = new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Zum Inhalt springen"
    assert page.locator(".app-skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_language_switch_works_without_javascript(new_page):
    """With JavaScript off, the language button posts the form and the page comes back in English."""
    page = new_page(javascript=False)
    page.goto("/datenschutz/")
    assert page.locator("h1").inner_text() == "Datenschutzerklärung"
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/datenschutz/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Privacy notice"
    page.get_by_role("button", name="Deutsch").click()
    assert page.locator("h1").inner_text() == "Datenschutzerklärung"


def test_error_page_is_accessible(new_page):
    page = new_page(bypass_csp=True)
    response = page.goto("/gibt-es-nicht/")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Seite nicht gefunden"
    assert_accessible(page)
