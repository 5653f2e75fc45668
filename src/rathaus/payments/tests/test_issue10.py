"""Journeys of issue 10 at the view level: a login on the way never ends on a 405, amounts
typed the German way, bank details beside the GiroCode, labels instead of codes, the cash
office's claim page as a workbench."""

import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from rathaus.domain.payments.girocode import epc_payload
from rathaus.payments import camt, conf, pdfs, sandbox, services
from rathaus.payments.models import BankCredit, Claim, Refund

from .factories import citizen_login, make_citizen, make_staff, setup_payments, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    return setup_payments()


def _paid_claim(offices, amount="20.00", debtor=None) -> Claim:
    claim = services.claim_create(
        office=offices["cash"], purpose="Auskunft", debtor_name="Jana Meyer", debtor=debtor,
        amount=Decimal(amount),
    )  # fmt: skip
    payment = services.payment_start(claim=claim, by=None)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    services.payment_refresh(payment=payment)
    claim.refresh_from_db()
    return claim


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


# --- 2: a login on the way comes back to a page, not a 405 ---------------------------------


def test_pay_address_reached_by_get_after_login_shows_the_claim(client, offices):
    citizen = make_citizen()
    claim = services.claim_create(
        office=offices["geo"], purpose="Auszug", debtor_name="Jana", debtor=citizen, amount=Decimal("9.00")
    )
    pay_url = reverse("payments:pay", args=[claim.kassenzeichen])
    assert "next=" in client.post(pay_url).url
    citizen_login(client, citizen)
    response = client.get(pay_url)
    assert response.status_code == 302
    assert response.url == reverse("payments:claim", args=[claim.kassenzeichen])
    assert not claim.payments.exists()


def test_staff_post_only_addresses_reached_by_get_lead_to_their_page(client, offices):
    """The staff login returns to ``next`` with GET: each action address sends on to the page
    with its form instead of answering 405."""
    clerk = make_staff(offices["cash"])
    claim = _paid_claim(offices)
    refund = services.refund_request(
        claim=claim, amount=Decimal("1.00"), reason="Test", by=clerk, request_key="k1"
    )
    data = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id="G1",
        credits=[camt.OutCredit(amount=Decimal("3.00"), remittance="?")],
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff_login(client, clerk)
    client.post(
        reverse("payments:staff-camt"), {"file": SimpleUploadedFile("a.xml", data, "application/xml")}
    )
    credit = BankCredit.objects.get(status=BankCredit.Status.UNMATCHED)
    claim_url = reverse("payments:staff-claim", args=[claim.kassenzeichen])
    expected = {
        reverse("payments:staff-refund", args=[claim.kassenzeichen]): claim_url,
        reverse("payments:staff-refund-decide", args=[refund.pk]): claim_url,
        reverse("payments:staff-credit-assign", args=[credit.pk]): reverse("payments:staff-credits"),
        reverse("payments:staff-camt"): reverse("payments:staff"),
    }
    for url, target in expected.items():
        response = client.get(url)
        assert (response.status_code, response.url) == (302, target), url


# --- 8: amounts typed the German way ---------------------------------------------------------


@pytest.mark.parametrize(("typed", "booked"), [("5,00", "5.00"), ("5.00", "5.00"), ("12,5", "12.50")])
def test_refund_typed_the_german_or_english_way_books_that_amount(client, offices, typed, booked):
    """The defect: a field pre-filled "20.00" turned "5,00" into 500 €."""
    clerk, second = make_staff(offices["cash"]), make_staff(offices["cash"])
    claim = _paid_claim(offices)
    staff_login(client, clerk)
    page = client.get(reverse("payments:staff-claim", args=[claim.kassenzeichen])).content.decode()
    field = re.search(r"<input[^>]*name=\"refund-amount\"[^>]*>", page).group(0)
    assert 'type="text"' in field and 'value="20,00"' in field and 'inputmode="decimal"' in field
    response = client.post(
        reverse("payments:staff-refund", args=[claim.kassenzeichen]),
        {"refund-amount": typed, "refund-reason": "Zu viel berechnet", "refund-key": f"k-{typed}"},
    )
    assert response.status_code == 302
    refund = Refund.objects.get()
    assert refund.amount == Decimal(booked)
    staff_login(client, second)
    client.post(reverse("payments:staff-refund-decide", args=[refund.pk]), {"decision": "approve"})
    claim.refresh_from_db()
    assert claim.refunded_total == Decimal(booked)
    page = client.get(reverse("payments:staff-claim", args=[claim.kassenzeichen])).content.decode()
    assert f"{Decimal(booked):.2f}".replace(".", ",") + "\u00a0€" in page


def test_ambiguous_or_too_high_refund_is_refused_next_to_the_refund_action(client, offices):
    clerk = make_staff(offices["cash"])
    claim = _paid_claim(offices)
    staff_login(client, clerk)
    url = reverse("payments:staff-refund", args=[claim.kassenzeichen])
    for typed in ("5,001", "500,00"):
        response = client.post(url, {"refund-amount": typed, "refund-reason": "x", "refund-key": typed})
        body = response.content.decode()
        assert response.status_code == 400 and not Refund.objects.exists()
        action = body[body.index('<details class="app-payments-action" id="action-refund"') :]
        action = action[: action.index("</details>")]
        assert " open>" in action.split("\n")[0]
        assert "app-error-summary" in action and "autofocus" in action
        assert 'href="#id_refund-amount"' in action
        assert body.count('app-error-summary"') == 1  # only the action that failed


# --- 9: bank details as text beside the GiroCode ---------------------------------------------


def test_claim_page_shows_recipient_iban_bic_amount_and_reference_beside_the_girocode(client, offices):
    citizen = make_citizen()
    claim = services.claim_create(
        office=offices["geo"], purpose="Auszug", debtor_name="Jana", debtor=citizen,
        amount=Decimal("12829.69"),
    )  # fmt: skip
    citizen_login(client, citizen)
    body = client.get(reverse("payments:claim", args=[claim.kassenzeichen])).content.decode()
    transfer = pdfs.transfer_details(claim)
    assert transfer.iban == conf.payee_iban() and transfer.bic == "COBADEFFXXX"
    for label, value in [
        ("Empfänger", "Landeshauptkasse Bremen"),
        ("IBAN", "DE89 3704 0044 0532 0130 00"),
        ("BIC", "COBADEFFXXX"),
        ("Betrag", "12.829,69\u00a0€"),
        ("Verwendungszweck", f"KZ {claim.kassenzeichen} Auszug"),
    ]:
        assert re.search(rf"__key\">{re.escape(label)}</dt><dd [^>]*>(<strong>)?{re.escape(value)}", body), (
            label
        )
    # the same data as the GiroCode's payload
    payload = epc_payload(
        name=transfer.name, iban=transfer.iban, bic=transfer.bic, amount=transfer.amount,
        remittance=transfer.remittance,
    )  # fmt: skip
    assert "COBADEFFXXX" in payload and f"KZ {claim.kassenzeichen} Auszug" in payload
    assert "app-girocode" in body
    pdf = client.get(reverse("payments:claim-pdf", args=[claim.kassenzeichen])).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "12.829,69 €" in text and "COBADEFFXXX" in text and "EUR" not in text


# --- 10: labels instead of codes ---------------------------------------------------------------


def test_staff_claim_page_shows_labels_not_ledger_codes_and_unique_ids(client, offices):
    clerk = make_staff(offices["cash"])
    claim = _paid_claim(offices, amount="12.00")
    staff_login(client, clerk)
    body = client.get(reverse("payments:staff-claim", args=[claim.kassenzeichen])).content.decode()
    main = body[body.index("<main") :]
    for code in ("receivable", "revenue", "psp", "online_payment", ">claim<", "PAYED", "online<"):
        assert code not in main, code
    for label in ("Forderungen", "Gebührenerträge", "Verrechnungskonto Zahlungsdienst", "Online-Zahlung"):
        assert label in main
    assert "12,00\u00a0€" in main
    history = main[main.index('id="history-title"') :]
    assert "Forderung angelegt" in history and "Online-Zahlung begonnen" in history
    assert "Zahlungsstatus geändert" in history and "payments." not in history
    duplicates = [name for name, count in _ids(body).items() if count > 1]
    assert duplicates == []
    assert "kern-description-list-item__key" in main and "<details" in main


def test_ledger_and_statuses_read_in_english_too(client, offices):
    from rathaus.payments.labels import account_label, entry_kind_label

    with translation.override("en"):
        assert account_label("receivable") == "Receivables"
        assert entry_kind_label("online_payment") == "Online payment"
        assert str(Claim.Status.PARTLY_PAID.label) == "Partly paid"
        assert str(Refund.Status.EXECUTED.label) == "Paid out"


def test_import_command_counts_with_correct_grammar(offices, tmp_path, capsys):
    """ "1 Gutschriften" and "1 von 2 Dateien wurden" were wrong German."""
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.xml"
    good.write_bytes(
        camt.write_camt053(
            iban=conf.payee_iban(),
            message_id="C1",
            credits=[camt.OutCredit(amount=Decimal("1.00"), remittance="?")],
        )
    )
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"kein xml")
    with pytest.raises(CommandError) as failed:
        call_command("payments", "import-camt", str(good), str(bad), "--no-progress")
    assert "good.xml: 1 Gutschrift, " in capsys.readouterr().out
    assert str(failed.value) == "1 von 2 Dateien wurde nicht eingelesen."
