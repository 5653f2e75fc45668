import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rathaus.payments import camt, conf, sandbox, services
from rathaus.payments.models import BankCredit, Claim, Refund

from .factories import citizen_login, make_citizen, make_staff, setup_payments, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def offices():
    return setup_payments()


def test_claim_page_shows_girocode_and_pdf(client, offices):
    citizen = make_citizen()
    claim = services.claim_create(
        office=offices["geo"], purpose="Auszug", debtor_name="Jana", debtor=citizen, amount=Decimal("20.00")
    )
    citizen_login(client, citizen)
    page = client.get(reverse("payments:claim", args=[claim.kassenzeichen])).content.decode()
    assert "GiroCode" in page and "<svg" in page and claim.display_kassenzeichen in page
    pdf = client.get(reverse("payments:claim-pdf", args=[claim.kassenzeichen])).content
    assert (
        pdf.startswith(b"%PDF") and claim.kassenzeichen in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    )
    payment = services.payment_start(claim=claim, by=citizen)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    page = client.get(reverse("payments:claim", args=[claim.kassenzeichen])).content.decode()
    assert "Quittung über" in page
    receipt = client.get(reverse("payments:receipt-pdf", args=[claim.kassenzeichen, payment.pk])).content
    assert "Quittung" in PdfReader(io.BytesIO(receipt)).pages[0].extract_text()


def test_the_payment_service_sends_the_payer_back_to_the_configured_site(client, offices, settings):
    """Issue 20, finding 5 elsewhere: the payment service got a bare path as redirectUrl, which on
    its own host leads nowhere."""
    settings.RATHAUS_BASE_URL = "https://service.bremen.example"
    citizen = make_citizen()
    claim = services.claim_create(
        office=offices["geo"], purpose="Auszug", debtor_name="Jana", debtor=citizen, amount=Decimal("20.00")
    )
    citizen_login(client, citizen)
    to_service = client.post(reverse("payments:pay", args=[claim.kassenzeichen]))
    payment = claim.payments.get()
    redirect_url = sandbox.transaction_request(payment.transaction_id)["redirectUrl"]
    assert redirect_url == "https://service.bremen.example" + reverse(
        "payments:return", args=[payment.request_id]
    )
    back = client.post(to_service.url, {"mode": "normal", "decision": "approve"})
    assert back.url == redirect_url
    assert sandbox.redirect_allowed(redirect_url)
    assert not sandbox.redirect_allowed("https://service.bremen.example.evil.example/zahlungen/")
    assert not sandbox.redirect_allowed("https://service.bremen.example//evil.example/")


def test_staff_dashboard_import_queue_and_four_eyes_refund(client, offices):
    clerk, second = make_staff(offices["cash"]), make_staff(offices["cash"])
    claim = services.claim_create(
        office=offices["cash"], purpose="Auskunft", debtor_name="Jana", amount=Decimal("12.00")
    )
    staff_login(client, clerk)
    assert client.get(reverse("payments:staff")).status_code == 200
    data = camt.write_camt053(
        iban=conf.payee_iban(),
        message_id="V1",
        credits=[
            camt.OutCredit(amount=Decimal("12.00"), remittance=claim.kassenzeichen),
            camt.OutCredit(amount=Decimal("3.00"), remittance="?"),
        ],
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    result = client.post(
        reverse("payments:staff-camt"), {"file": SimpleUploadedFile("auszug.xml", data, "application/xml")}
    )
    assert result.status_code == 200 and "Automatisch zugeordnet: 1" in result.content.decode()
    again = client.post(
        reverse("payments:staff-camt"), {"file": SimpleUploadedFile("auszug.xml", data, "application/xml")}
    )
    assert again.status_code == 400 and "bereits eingelesen" in again.content.decode()
    credits_page = client.get(reverse("payments:staff-credits"))
    assert "3,00" in credits_page.content.decode()
    credit = BankCredit.objects.get(status=BankCredit.Status.UNMATCHED)
    bad = client.post(
        reverse("payments:staff-credit-assign", args=[credit.pk]),
        {f"credit-{credit.pk}-kassenzeichen": claim.kassenzeichen[:-1] + "x"},
    )
    assert bad.status_code == 400
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    page = client.get(reverse("payments:staff-claim", args=[claim.kassenzeichen]))
    assert page.status_code == 200
    client.post(
        reverse("payments:staff-refund", args=[claim.kassenzeichen]),
        {"refund-amount": "2.00", "refund-reason": "Doppelt", "refund-key": "abc"},
    )
    refund = Refund.objects.get()
    own = client.post(reverse("payments:staff-refund-decide", args=[refund.pk]), {"decision": "approve"})
    assert own.status_code == 400 and "Vier-Augen" in own.content.decode()
    staff_login(client, second)
    client.post(reverse("payments:staff-refund-decide", args=[refund.pk]), {"decision": "approve"})
    refund.refresh_from_db()
    assert refund.status == Refund.Status.EXECUTED
    csv_response = client.get(reverse("payments:staff-hkr"))
    assert claim.kassenzeichen in csv_response.content.decode()


def test_staff_of_other_office_cannot_use_the_cash_pages(client, offices):
    geo_clerk = make_staff(offices["geo"])
    staff_login(client, geo_clerk)
    assert client.get(reverse("payments:staff")).status_code == 200
    assert client.get(reverse("payments:staff-credits")).status_code == 404
