"""Fixtures for the browser tests: headless Debian Chromium driven by Playwright, axe-core.

Run with ``make test-browser`` (``pytest -m browser``); ``make test`` leaves them out.
"""

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from rathaus.accounts.selectors import EIDAS_SESSION_KEY
from rathaus.kernel.testing import CITIZEN_BACKEND, session_key

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = Path(__file__).resolve().parents[2] / "src/rathaus/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
LOCALES = {"de": "de-DE", "en": "en-GB"}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 390, "height": 844}
EIDAS_HIGH = "http://eidas.europa.eu/LoA/high"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make browser)")
    # Playwright's sync API runs an asyncio loop in this thread; Django's async-safety check
    # would otherwise refuse the ORM calls tests make while a page is open. Set only while
    # browser tests run, so the check stays on for every other test in the same session.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server, settings):
    """``new_page(language="de", javascript=True, bypass_csp=False, phone=False)`` opens a fresh
    context; ``phone=True`` gives a 390 × 844 viewport with touch (a current phone)."""
    # The live server is the site: links in e-mails and the payment service's way back go there.
    settings.RATHAUS_BASE_URL = live_server.url
    contexts = []

    def open_page(
        *, language: str = "de", javascript: bool = True, bypass_csp: bool = False, phone: bool = False
    ):
        context = browser.new_context(
            base_url=live_server.url,
            locale=LOCALES[language],
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            viewport=PHONE_VIEWPORT if phone else DESKTOP_VIEWPORT,
            has_touch=phone,
            is_mobile=phone,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def log_in(page, user, live_server_url: str, **options) -> None:
    """Put a session of ``user`` into the page's context, as a finished login leaves it; options as
    for ``rathaus.kernel.testing.log_in`` (``backend``, ``second_factor``, ``session``)."""
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_key(user, **options),
                "url": live_server_url,
            }
        ]
    )


def log_in_staff(page, user, live_server_url: str) -> None:
    """A staff session that passed the second factor, as after the TOTP step; the page's other
    cookies (an earlier login) are dropped."""
    page.context.clear_cookies()
    log_in(page, user, live_server_url, second_factor=True)


def log_in_citizen(page, user, live_server_url: str, *, eidas_level: str | None = EIDAS_HIGH) -> None:
    """A citizen session, as a finished eID login (OpenID Connect) at ``eidas_level`` leaves it."""
    session = {EIDAS_SESSION_KEY: eidas_level} if eidas_level else {}
    log_in(page, user, live_server_url, backend=CITIZEN_BACKEND, session=session)


def _format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"
        )
        for node in violation["nodes"][:5]:
            lines.append(
                f"    at {', '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}"
            )
            lines.append(f"       {node['html'][:160]}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page; fail listing every violation.

    axe is injected as a script element, which the page's CSP forbids; the page must come
    from a context opened with ``bypass_csp=True``.
    """
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = page.url.split("//", 1)[-1].replace("/", "_").replace(":", "_")
        (RESULTS_DIR / f"axe-{name}.json").write_text(json.dumps(violations, indent=2))
    assert not violations, _format_violations(page.url, violations)


def screenshot(page, name: str) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def resident(transactional_db):
    """A married resident with household and income, from a small demo city (registers' generator).

    The live server sees the data because the browser tests run with a transactional database.
    """
    import datetime

    from rathaus.registers.demo.city import build_demo_city
    from rathaus.registers.models import Person

    build_demo_city(residents=40, seed=11, reference_date=datetime.date(2026, 11, 1), with_staff=False)
    person = (
        Person.objects.filter(
            date_of_death__isnull=True,
            marital_status=Person.MaritalStatus.MARRIED,
            income_notifications__isnull=False,
            address__isnull=False,
        )
        .order_by("register_number")
        .first()
    )
    assert person is not None, "the demo city has no married resident with income"
    return person


def assert_fits_width(page) -> None:
    """Fail when the page scrolls sideways (content wider than the viewport, e.g. on a phone)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, (
        f"{page.url} is {overflow}px wider than the {page.viewport_size['width']}px viewport"
    )
