"""Journeys of E-Payment in a real browser (issue 10), at 1280 px and at 390 px, axe-core on
every page visited:

- a citizen who is not logged in orders a cadastral extract: the login returns to the order
  to confirm (not a blank 405), then transfer details beside the GiroCode, then paying online;
- the cash office refunds an amount typed the German way ("5,00" books 5,00 €, never 500 €),
  an ambiguous amount is refused next to the refund action with the focus there; the ledger
  shows labels, not codes;
- an unmatched bank credit is assigned by hand; a wrong Kassenzeichen is refused in that
  credit's own section.
"""

import re
from decimal import Decimal

import pytest

from rathaus.payments.models import Refund

from .conftest import assert_accessible, assert_fits_width, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [pytest.param(False, id="desktop"), pytest.param(True, id="phone")]


def _setup():
    from rathaus.cadastre import services as cadastre
    from rathaus.payments import demo

    demo.load_fee_schedule()
    offices = demo.offices_ensure()
    cadastre.parcels_ensure(seed=3)
    return offices


def _check(page, name: str | None = None, *, axe: bool = True) -> None:
    assert_fits_width(page)
    if axe:
        assert_accessible(page)
    if name:
        width = page.viewport_size["width"]
        screenshot(page, f"payments-{name}-{width}")


def _demo_idp_login(page, resident) -> None:
    page.get_by_role("link", name="Mit Bürgerkonto anmelden").click()
    page.wait_for_url(re.compile(r".*/demo-idp/authorize/.*"))
    page.get_by_label("Name oder Melderegisternummer").fill(resident.register_number)
    page.locator("form[role=search] button[type=submit]").click()
    page.get_by_role("button", name="Als diese Person anmelden").click()


@pytest.mark.parametrize("phone", SIZES)
def test_logged_out_citizen_orders_an_extract_after_login_and_pays(new_page, resident, phone):
    _setup()
    page = new_page(bypass_csp=True, phone=phone)
    page.goto("/liegenschaftskarte/?gemarkung=Findorff")
    _check(page)
    page.get_by_role("link", name="Gemarkung Findorff, Flur 3, Flurstück 10").click()
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Gemarkung Findorff, Flur 3, Flurstück 10"
    _check(page, "parcel")
    page.get_by_role("button", name="Kostenpflichtig bestellen").click()
    assert "/anmelden/" in page.url and "bestellen" in page.url
    _demo_idp_login(page, resident)
    # Back on the order address after the login, with the order still to confirm.
    page.wait_for_url(re.compile(r".*/liegenschaftskarte/flurstueck/\d+/bestellen/$"))
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Auszug bestellen"
    assert "Gemarkung Findorff, Flur 3, Flurstück 10" in page.locator("main").inner_text().replace(
        "\xa0", " "
    )
    _check(page, "order-confirm")
    page.get_by_role("button", name="Kostenpflichtig bestellen").click()
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Ihre Bestellung"
    _check(page)
    order_url = page.url
    page.get_by_role("link", name="Lieber per Überweisung bezahlen (GiroCode)").click()
    main = page.locator("main").inner_text().replace("\xa0", " ")
    for text in ("Empfänger", "Landeshauptkasse Bremen", "DE89 3704 0044 0532 0130 00", "COBADEFFXXX"):
        assert text in main, text
    assert re.search(r"Verwendungszweck\s+KZ \d{12} Auszug Liegenschaftskarte", main)
    assert re.search(r"Betrag\s+\d+,\d\d\s€", main)
    _check(page, "claim-transfer")
    page.goto(order_url)
    page.get_by_role("button", name="jetzt online bezahlen").click()
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Sandbox-Zahlungsdienst"
    assert "Begonnen" in page.locator("main").inner_text().replace("\xa0", " ")
    _check(page, "sandbox")
    page.get_by_role("button", name="Zahlung bestätigen").click()
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Ihre Bestellung"
    assert "Vielen Dank für Ihre Zahlung" in page.locator("main").inner_text().replace("\xa0", " ")
    _check(page, "order-fulfilled")
    page.goto("/zahlungen/")
    assert "Bezahlt" in page.locator("main").inner_text()
    _check(page, "my-claims")


def test_logged_out_order_works_without_javascript(new_page, resident):
    _setup()
    page = new_page(javascript=False, phone=True)
    page.goto("/liegenschaftskarte/?gemarkung=Vegesack")
    page.get_by_role("link", name="Gemarkung Vegesack, Flur 12, Flurstück 3", exact=True).click()
    page.get_by_role("button", name="Kostenpflichtig bestellen").click()
    _demo_idp_login(page, resident)
    page.wait_for_url(re.compile(r".*/bestellen/$"))
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Auszug bestellen"
    assert_fits_width(page)
    page.get_by_role("button", name="Kostenpflichtig bestellen").click()
    assert page.locator("h1").inner_text().replace("\xa0", " ") == "Ihre Bestellung"


def _paid_claim(offices, amount: str):
    from rathaus.payments import sandbox, services

    claim = services.claim_create(
        office=offices["cash"], purpose="Auskunft aus dem Liegenschaftskataster",
        debtor_name="Jana Meyer", amount=Decimal(amount),
    )  # fmt: skip
    payment = services.payment_start(claim=claim, by=None)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    services.payment_refresh(payment=payment)
    claim.refresh_from_db()
    return claim


@pytest.mark.parametrize("phone", SIZES)
def test_cash_office_refunds_five_euros_typed_the_german_way(new_page, live_server, phone):
    from rathaus.payments.tests.factories import make_staff

    offices = _setup()
    clerk, second = make_staff(offices["cash"]), make_staff(offices["cash"])
    claim = _paid_claim(offices, "20.00")
    page = new_page(bypass_csp=True, phone=phone)
    log_in_staff(page, clerk, live_server.url)
    page.goto("/kasse/")
    _check(page, "staff-dashboard")
    page.goto(f"/kasse/forderung/{claim.kassenzeichen}/")
    main = page.locator("main")
    assert "Forderung" in page.locator("h1").inner_text().replace("\xa0", " ")
    for code in ("receivable", "online_payment", "psp", "PAYED"):
        assert code not in main.inner_text().replace("\xa0", " ")
    assert "Verrechnungskonto Zahlungsdienst" in main.inner_text().replace("\xa0", " ")
    assert "20,00 €" in main.inner_text().replace("\xa0", " ")
    _check(page, "staff-claim")
    # The refund form is a closed disclosure until asked for.
    amount = page.get_by_label("Betrag in Euro")
    assert not amount.is_visible()
    page.get_by_text("Erstattung beantragen", exact=True).first.click()
    assert amount.input_value() == "20,00"
    amount.fill("5,001")
    page.get_by_label("Grund der Erstattung").fill("Doppelt bezahlt")
    page.locator("#action-refund button[type=submit]").click()
    # Refused next to the refund action, with the focus on its error summary.
    summary = page.locator("#action-refund .app-error-summary")
    assert summary.is_visible()
    # autofocus runs with the next rendering update, not at the load event
    page.wait_for_function("document.activeElement.classList.contains('app-error-summary')", timeout=5000)
    assert page.evaluate("document.activeElement.closest('#action-refund') !== null")
    _check(page, "staff-claim-error")
    assert not Refund.objects.exists()
    page.get_by_label("Betrag in Euro").fill("5,00")
    page.locator("#action-refund button[type=submit]").click()
    refund = Refund.objects.get()
    assert refund.amount == Decimal("5.00")
    assert "5,00 €" in page.locator("#refunds").inner_text().replace("\xa0", " ")
    log_in_staff(page, second, live_server.url)
    page.goto(f"/kasse/forderung/{claim.kassenzeichen}/")
    page.get_by_role("button", name="Freigeben und auszahlen").click()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.EXECUTED
    main_text = page.locator("main").inner_text().replace("\xa0", " ")
    assert "Erstattung" in main_text and "5,00 €" in main_text and "500,00" not in main_text
    _check(page, "staff-claim-refunded")


def test_refund_form_works_without_javascript(new_page, live_server):
    from rathaus.payments.tests.factories import make_staff

    offices = _setup()
    clerk = make_staff(offices["cash"])
    claim = _paid_claim(offices, "12.50")
    page = new_page(javascript=False, phone=True)
    log_in_staff(page, clerk, live_server.url)
    page.goto(f"/kasse/forderung/{claim.kassenzeichen}/")
    page.get_by_text("Erstattung beantragen", exact=True).first.click()
    page.get_by_label("Betrag in Euro").fill("2,50")
    page.get_by_label("Grund der Erstattung").fill("Ermäßigung")
    page.locator("#action-refund button[type=submit]").click()
    assert Refund.objects.get().amount == Decimal("2.50")
    assert_fits_width(page)


@pytest.mark.parametrize("phone", SIZES)
def test_cash_office_assigns_an_unmatched_credit_by_hand(new_page, live_server, phone):
    from rathaus.payments import camt, conf, reconcile, services
    from rathaus.payments.models import BankCredit
    from rathaus.payments.tests.factories import make_staff

    offices = _setup()
    clerk = make_staff(offices["cash"])
    claim = services.claim_create(
        office=offices["cash"], purpose="Auskunft", debtor_name="Jana Meyer", amount=Decimal("12829.69")
    )
    data = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id="B1",
        credits=[camt.OutCredit(amount=Decimal("12829.69"), remittance="Gebuehr Jana Meyer")],
    )
    reconcile.import_camt(data=data, filename="auszug.xml", by=clerk)
    credit = BankCredit.objects.get(status=BankCredit.Status.UNMATCHED)
    page = new_page(bypass_csp=True, phone=phone)
    log_in_staff(page, clerk, live_server.url)
    page.goto("/kasse/gutschriften/")
    section = page.locator(f"#gutschrift-{credit.pk}")
    assert "12.829,69 €" in section.inner_text().replace("\xa0", " ")
    _check(page, "staff-credits")
    section.get_by_label("Kassenzeichen").fill("2026-0000000-0")
    section.get_by_role("button", name="Zuordnen").click()
    section = page.locator(f"#gutschrift-{credit.pk}")
    assert section.locator(".app-error-summary").is_visible()
    page.wait_for_function("document.activeElement.classList.contains('app-error-summary')", timeout=5000)
    assert page.evaluate(f"document.activeElement.closest('#gutschrift-{credit.pk}') !== null")
    _check(page, "staff-credits-error")
    section.get_by_label("Kassenzeichen").fill(claim.kassenzeichen)
    section.get_by_role("button", name="Zuordnen").click()
    assert "Alle Gutschriften sind zugeordnet." in page.locator("main").inner_text().replace("\xa0", " ")
    claim.refresh_from_db()
    assert claim.status == claim.Status.PAID
