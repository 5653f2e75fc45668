"""The consents and the Datenschutzcockpit in a real browser: accessible, and a withdrawal works
without JavaScript."""

import pytest

from rathaus.accounts.models import User
from rathaus.registers import services
from rathaus.registers.models import Consent
from rathaus.registers.tests.factories import exchange_world

from .conftest import assert_accessible, assert_fits_width, log_in_citizen, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _mother_with_consent_and_exchange():
    """A citizen (the mother) whose consent let the parental benefit office ask once."""
    world = exchange_world()
    user = User.objects.create_user(username="mutter", kind=User.Kind.CITIZEN, person=world.mother)
    consent = services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by=user)
    services.exchange_request(
        requesting_office=world.elterngeldstelle, person_id=world.mother.pk, fields=["name", "children"],
        purpose="Antrag auf Elterngeld", consent_id=consent.pk,
    )  # fmt: skip
    return user, consent


@pytest.mark.parametrize("language", ["de", "en"])
def test_consents_and_cockpit_have_no_axe_violations_and_withdraw_without_javascript(
    new_page, live_server, language
):
    user, consent = _mother_with_consent_and_exchange()
    page = new_page(language=language, bypass_csp=True)
    log_in_citizen(page, user, live_server.url)
    page.goto("/mein-konto/datenschutzcockpit/")
    assert "Amt für Versorgung und Integration Bremen" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, f"datenschutzcockpit-{language}")
    page.goto("/mein-konto/einwilligungen/")
    assert_accessible(page)
    screenshot(page, f"einwilligungen-{language}")
    # the withdrawal is a plain form: it works with JavaScript switched off
    plain = new_page(language=language, javascript=False)
    log_in_citizen(plain, user, live_server.url)
    plain.goto("/mein-konto/einwilligungen/")
    plain.locator("form[action$='/widerrufen/'] button").click()
    plain.wait_for_url("**/mein-konto/einwilligungen/")
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None
    page.reload()
    assert_accessible(page)


def test_consents_and_cockpit_fit_a_phone(new_page, live_server):
    """At 390 px the tables of both pages wrap or scroll inside themselves, never the page."""
    user, _consent = _mother_with_consent_and_exchange()
    page = new_page(phone=True)
    log_in_citizen(page, user, live_server.url)
    for path, name in (
        ("/mein-konto/datenschutzcockpit/", "cockpit"),
        ("/mein-konto/einwilligungen/", "consents"),
    ):
        page.goto(path)
        assert "Elterngeld" in page.locator("main").inner_text()
        assert_fits_width(page)
        screenshot(page, f"onceonly-{name}-phone")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_proactive_offer_is_accepted_with_one_click_without_javascript(new_page, live_server, phone):
    """After the birth the mother finds Kindergeld and Elterngeld offered and accepts one: an E-Akte
    case is opened for her, and the page says so (axe clean, fits a phone)."""
    from datetime import date

    from rathaus.efile.models import Case
    from rathaus.registers.models import ProactiveOffer

    world = exchange_world()
    user = User.objects.create_user(username="mutter", kind=User.Kind.CITIZEN, person=world.mother)
    services.event_record(kind="birth_registered", person=world.child, occurred_on=date(2025, 11, 20))
    page = new_page(phone=phone, javascript=False)
    log_in_citizen(page, user, live_server.url)
    page.goto("/mein-konto/angebote/")
    main = page.locator("main").inner_text()
    assert "Elterngeld" in main and "Kindergeld" in main
    assert_fits_width(page)
    screenshot(page, f"angebote-{'phone' if phone else 'desktop'}")
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="elterngeld")
    page.locator(f"form[action$='/angebote/{offer.pk}/annehmen/'] button").click()
    page.wait_for_url("**/mein-konto/angebote/")
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.ACCEPTED
    assert Case.objects.filter(person=world.mother).count() == 1
    screenshot(page, f"angebote-angenommen-{'phone' if phone else 'desktop'}")
    js = new_page(phone=phone, bypass_csp=True)
    log_in_citizen(js, user, live_server.url)
    js.goto("/mein-konto/angebote/")
    assert_accessible(js)
