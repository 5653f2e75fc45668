"""An organisation's API keys page in a real browser: create a key, see it once, revoke it;
desktop and phone width, with and without JavaScript, axe-core clean."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from rathaus.accounts import services as account_services
from rathaus.accounts.models import ApiToken, Organisation, User

from .conftest import assert_accessible, assert_fits_width, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supplier(transactional_db) -> User:
    organisation = account_services.organisation_create(
        name="Bürobedarf Nord GmbH", kind=Organisation.Kind.COMPANY
    )
    return User.objects.create_user(
        username="lieferant",
        first_name="Lena",
        last_name="Lieferant",
        kind=User.Kind.ORGANISATION,
        organisation=organisation,
    )


def _log_in(page, user: User, live_server_url: str) -> None:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "rathaus.accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server_url}]
    )


@pytest.mark.parametrize(
    ("phone", "javascript"), [(False, True), (True, True), (False, False)], ids=["desktop", "phone", "no-js"]
)
def test_an_organisation_creates_sees_once_and_revokes_an_api_key(
    new_page, supplier, live_server, phone, javascript
):
    page = new_page(phone=phone, javascript=javascript, bypass_csp=True)
    _log_in(page, supplier, live_server.url)
    suffix = "phone" if phone else ("desktop" if javascript else "nojs")

    # from "Mein Konto" to the key page, which starts empty with a helpful note
    page.goto("/mein-konto/")
    page.get_by_role("link", name="API-Schlüssel verwalten").click()
    assert page.get_by_role("heading", level=1).inner_text() == "API-Zugang"
    assert page.get_by_text("Noch kein API-Schlüssel").is_visible()
    if javascript:
        assert_accessible(page)
        assert_fits_width(page)
    screenshot(page, f"api-keys-empty-{suffix}")

    # a form without a name says what is missing
    page.get_by_role("button", name="Schlüssel anlegen").click()
    assert page.get_by_text("Bitte korrigieren Sie Ihre Eingaben").is_visible()
    assert not ApiToken.objects.exists()

    # create one: shown once, in a field that can be copied
    page.get_by_label("Name").fill("Buchhaltung Rechnungsausgang")
    page.get_by_label("E-Rechnungen einreichen").check()
    page.get_by_label("Gültig für").select_option("365")
    page.get_by_role("button", name="Schlüssel anlegen").click()
    value = page.locator("#new-key").input_value()
    assert len(value) >= 40
    assert page.get_by_text("nur dieses eine Mal angezeigt").is_visible()
    if javascript:
        assert_accessible(page)
        assert_fits_width(page)
    screenshot(page, f"api-keys-issued-{suffix}")

    # reloading the list never shows it again
    page.goto("/mein-konto/api-zugang/")
    assert value not in page.content()
    assert page.get_by_role("cell", name="E-Rechnungen einreichen").is_visible()

    # revoke it
    button = page.get_by_role("button", name=re.compile(r"^Widerrufen\W+Buchhaltung Rechnungsausgang$"))
    button.click()
    assert page.get_by_text("ist widerrufen").first.is_visible()
    assert ApiToken.objects.get().revoked_at is not None
    if javascript:
        assert_accessible(page)
    screenshot(page, f"api-keys-revoked-{suffix}")
