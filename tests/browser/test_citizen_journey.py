"""A citizen's way through the portal in a real browser: demo IdP login, Mein Konto, postbox.

The residents come from the registers' demo city generator at a small size; the login goes
through the built-in demo OpenID provider exactly as a person would click through it.
"""

import re

import pytest

from rathaus.accounts.models import User
from rathaus.kernel import blobs, notify
from rathaus.kernel.testing import make_pdf

from .conftest import assert_accessible, log_in_citizen, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = make_pdf("Bescheid")


def _citizen_for(person) -> User:
    return getattr(person, "account", None) or User.objects.create_user(
        username=f"buerger-{person.pk}", kind=User.Kind.CITIZEN, person=person
    )


def _message_for(user: User) -> notify.PostboxMessage:
    blob = blobs.store(content=PDF, filename="meldebescheinigung.pdf")
    return notify.postbox_send(
        recipient=user,
        subject="Ihre Meldebescheinigung",
        body="Guten Tag,\nim Anhang finden Sie Ihre Meldebescheinigung.",
        sender_label="Bürgeramt Mitte",
        attachments=[("Meldebescheinigung.pdf", blob)],
        notify_by_email=False,
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_mein_konto_and_a_postbox_message_have_no_axe_violations(new_page, resident, live_server, language):
    user = _citizen_for(resident)
    message = _message_for(user)
    page = new_page(language=language, bypass_csp=True)
    log_in_citizen(page, user, live_server.url)
    response = page.goto("/mein-konto/")
    assert response is not None and response.status == 200
    assert resident.family_name in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, f"mein-konto-with-message-{language}")
    page.goto(f"/mein-konto/postfach/{message.pk}/")
    assert page.locator("h1").inner_text() == "Ihre Meldebescheinigung"
    assert_accessible(page)
    screenshot(page, f"postbox-message-{language}")
    page.goto("/mein-konto/postfach/")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["de", "en"])
def test_demo_idp_login_page_has_no_axe_violations(new_page, resident, language):
    page = new_page(language=language, bypass_csp=True)
    page.goto("/anmelden/eid/")
    page.wait_for_url(re.compile(r".*/demo-idp/authorize/.*"))
    assert_accessible(page)
    page.get_by_label(re.compile("Name oder Melderegisternummer|Name or register number")).fill(
        resident.family_name
    )
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert_accessible(page)


def test_newcomer_logs_in_through_demo_idp_sees_own_data_and_switches_to_english(new_page, resident):
    """Start page → log in as a demo citizen → Mein Konto shows their register data → English."""
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Jetzt anmelden").click()
    page.get_by_role("link", name="Mit Bürgerkonto anmelden").click()
    page.wait_for_url(re.compile(r".*/demo-idp/authorize/.*"))
    page.get_by_label("Name oder Melderegisternummer").fill(resident.register_number)
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_text(resident.register_number).click()
    page.get_by_label("hoch").check()
    page.get_by_role("button", name="Als diese Person anmelden").click()
    page.wait_for_url("**/mein-konto/")
    main = page.locator("main").inner_text()
    assert resident.family_name in main and resident.given_names in main
    assert "Vertrauensniveau dieser Anmeldung: hoch." in main
    assert page.get_by_role("heading", name="Meine Daten im Melderegister").is_visible()
    screenshot(page, "mein-konto-de")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/mein-konto/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My account"
    assert "Level of assurance of this login: high." in page.locator("main").inner_text()
    screenshot(page, "mein-konto-en")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/$"))
    assert page.get_by_role("link", name="Log in").first.is_visible()


def test_login_and_mein_konto_work_without_javascript(new_page, resident):
    """Every step of the demo login is a plain link or form; no script is needed."""
    page = new_page(javascript=False)
    page.goto("/anmelden/")
    page.get_by_role("link", name="Mit Bürgerkonto anmelden").click()
    page.get_by_label("Name oder Melderegisternummer").fill(resident.register_number)
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_role("button", name="Als diese Person anmelden").click()
    page.wait_for_url("**/mein-konto/")
    assert resident.family_name in page.locator("main").inner_text()


def test_staff_login_form_submits_without_javascript(new_page):
    """A wrong password comes back as an error on the same page (the form really posted)."""
    page = new_page(javascript=False)
    page.goto("/anmelden/mitarbeitende/")
    page.locator("input[name=username]").fill("niemand")
    page.locator("input[name=password]").fill("falsches-passwort-123")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".kern-alert--danger, .kern-error").first.is_visible()
