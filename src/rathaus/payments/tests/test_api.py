import json

import pytest
from django.test import Client

from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel import urls
from rathaus.kernel.models import IdempotencyRecord
from rathaus.payments import conf, services
from rathaus.payments.models import Claim
from rathaus.payments.providers import XBezahldiensteHttpProvider

from .factories import api_headers, make_staff, setup_payments

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/claims"


@pytest.fixture
def offices():
    return setup_payments()


@pytest.fixture
def headers(offices):
    return api_headers(make_staff(offices["cash"]))


def post(client, url, body, headers, key="key-1"):
    return client.post(
        url,
        json.dumps(body),
        content_type="application/json",
        headers={**headers, "Idempotency-Key": key} if key else headers,
    )


def test_same_key_same_body_replays_and_different_body_is_a_problem(client, headers):
    body = {
        "office": conf.cash_office_slug(),
        "purpose": "Auskunft",
        "debtor_name": "Jana",
        "tariff_key": "melderegisterauskunft",
    }
    first = post(client, URL, body, headers)
    replay = post(client, URL, body, headers)
    assert first.status_code == replay.status_code == 201
    assert first.json() == replay.json() and replay["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1
    other = post(client, URL, {**body, "purpose": "anders"}, headers)
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert other.json()["type"] == "urn:rathaus:problem:idempotency_key_reused"
    missing = post(client, URL, body, headers, key=None)
    assert missing.status_code == 400


def test_claim_read_tolerates_typed_kassenzeichen_and_refuses_a_wrong_check_digit(client, headers):
    """Bad input: a Kassenzeichen with a wrong check digit."""
    created = post(
        client,
        URL,
        {"office": conf.cash_office_slug(), "purpose": "A", "debtor_name": "J", "amount": "5.00"},
        headers,
    ).json()
    kz = created["kassenzeichen"]
    assert client.get(f"{URL}/{kz[:4]}-{kz[4:11]}-{kz[11]}", headers=headers).json()["open_amount"] == "5.00"
    wrong = kz[:-1] + str((int(kz[-1]) + 1) % 10)
    assert client.get(f"{URL}/{wrong}", headers=headers).status_code == 404


@pytest.mark.parametrize("amount", ["0", "-1.00", "abc"])
def test_bad_amounts_are_problems(client, headers, amount):
    """Bad input: zero, negative and non-numeric amounts."""
    response = post(
        client,
        URL,
        {"office": conf.cash_office_slug(), "purpose": "A", "debtor_name": "J", "amount": amount},
        headers,
        key=f"k{amount}",
    )
    assert response.status_code == 422
    assert not IdempotencyRecord.objects.exists()


def test_notification_endpoint_verifies_the_signature(client, offices):
    claim = services.claim_create(office=offices["cash"], purpose="A", debtor_name="J", amount="5.00")
    payment = services.payment_start(claim=claim, by=None)
    body = json.dumps(
        {
            "eventId": "e-9",
            "transactionId": payment.transaction_id,
            "status": "PAYED",
            "grossAmount": "5.00",
            "currency": "EUR",
        }
    ).encode()
    bad = client.post(
        "/api/v1/payments/notifications",
        body,
        content_type="application/json",
        headers={"X-Signature": "sha256=00"},
    )
    assert bad.status_code == 403
    good = client.post("/api/v1/payments/notifications", body, content_type="application/json",
                       headers={"X-Signature": xb.sign(body, conf.notification_secret())})  # fmt: skip
    assert good.status_code == 200 and good.json()["outcome"] == "applied"


def test_http_provider_speaks_xbezahldienste_with_the_sandbox(offices):
    """The HTTP provider against the sandbox's XBezahldienste interface (through Django's test client)."""
    django_client = Client()

    def transport(method, url, headers, body):
        path = url.replace("http://testserver", "")
        if method == "POST":
            response = django_client.post(
                path,
                body,
                content_type="application/json",
                headers={"Authorization": headers["Authorization"]},
            )
        else:
            response = django_client.get(path, headers={"Authorization": headers["Authorization"]})
        return response.status_code, response.content

    provider = XBezahldiensteHttpProvider(
        base_url="http://testserver/api/v1/payments/sandbox", originator_id="bremen", endpoint_id="kasse",
        token=conf.sandbox_token(), transport=transport,
    )  # fmt: skip
    from decimal import Decimal

    request = xb.PaymentRequest(
        request_id="r1", request_timestamp="2026-11-29T10:00:00+01:00", gross_amount=Decimal("20.00"),
        purpose="KZ",
        description="Auszug", redirect_url="/zurueck/",
        items=(xb.PaymentItem(id="1", reference="KZ", description="Auszug", gross_amount=Decimal("20.00")),),
    )  # fmt: skip
    info = provider.create(request)
    assert info.status == "INITIAL" and info.transaction_url
    assert provider.status(info.transaction_id).status == "INITIAL"
    wrong = XBezahldiensteHttpProvider(
        base_url="http://testserver/api/v1/payments/sandbox",
        originator_id="b",
        endpoint_id="k",
        token="nope-nope-nope-nope",
        transport=transport,
    )
    from rathaus.payments.providers import ProviderError

    with pytest.raises(ProviderError):
        wrong.status(info.transaction_id)


def test_sandbox_token_is_not_in_the_code_and_the_old_one_is_refused(client, offices):
    """Issue 11, finding 1: the bearer token written in the code opened the sandbox."""
    assert conf.sandbox_token() != "sandbox-demo-token" and len(conf.sandbox_token()) >= 32
    url = "/api/v1/payments/sandbox/paymenttransaction/bremen/kasse"
    response = client.post(
        url, "{}", content_type="application/json", headers={"Authorization": "Bearer sandbox-demo-token"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/ok\r\nx"],
)
def test_sandbox_redirects_only_within_this_site(client, offices, target):
    """Issue 11, finding 1: the sandbox redirected the payer to any address."""
    from rathaus.payments import sandbox

    assert not sandbox.redirect_allowed(target)
    assert sandbox.redirect_allowed("/kasse/zahlung/abc/")
    assert sandbox.redirect_allowed(urls.absolute("/kasse/zahlung/abc/"))
    body = {
        "requestId": "r-redirect",
        "requestTimestamp": "2026-11-29T10:00:00+01:00",
        "grossAmount": "20.00",
        "currency": "EUR",
        "purpose": "KZ",
        "description": "Auszug",
        "redirectUrl": target,
        "items": [{"id": "1", "reference": "KZ", "description": "Auszug", "grossAmount": "20.00"}],
    }
    response = client.post(
        "/api/v1/payments/sandbox/paymenttransaction/bremen/kasse",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {conf.sandbox_token()}"},
    )
    assert response.status_code == 422 and "redirectUrl" in response.json()["detail"]


def test_the_real_adapter_is_built_from_settings_and_says_what_is_missing(settings):
    from rathaus.payments.providers import ProviderError, get_provider

    settings.RATHAUS_PAYMENT_PROVIDER = "rathaus.payments.providers.XBezahldiensteHttpProvider"
    with pytest.raises(ProviderError, match="RATHAUS_XBEZAHLDIENSTE_URL"):
        get_provider()
    settings.RATHAUS_XBEZAHLDIENSTE_URL = "https://epay.example/api"
    settings.RATHAUS_XBEZAHLDIENSTE_ORIGINATOR = "bremen"
    settings.RATHAUS_XBEZAHLDIENSTE_ENDPOINT = "kasse"
    settings.RATHAUS_XBEZAHLDIENSTE_TOKEN = "t"
    provider = get_provider()
    assert isinstance(provider, XBezahldiensteHttpProvider)
    assert provider.base == "https://epay.example/api/paymenttransaction/bremen/kasse"


def test_notification_for_an_unknown_transaction_is_a_problem_document(client, offices):
    """Found by the API fuzzer's contract (issue 11, suite 2): a correctly signed notification
    for a transaction nobody started answers 404 as problem+json, with the provider's fields."""
    body = json.dumps(
        {"eventId": "e-404", "transactionId": "gibt-es-nicht", "status": "PAYED",
         "grossAmount": "5.00", "currency": "EUR"}
    ).encode()  # fmt: skip
    response = client.post(
        "/api/v1/payments/notifications",
        body,
        content_type="application/json",
        headers={"X-Signature": xb.sign(body, conf.notification_secret())},
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:rathaus:problem:notification_unknown"
    assert (problem["status"], problem["eventId"], problem["outcome"]) == (404, "e-404", "unknown")
    assert problem["detail"]
