"""Hostile input to the API gets a 4xx problem document, never a 500, and stores nothing
(issue 11, finding 5)."""

import json

import pytest

from rathaus.payments import conf
from rathaus.payments.models import Claim
from rathaus.payments.tests.factories import api_headers, make_staff, setup_payments

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
CLAIMS = "/api/v1/payments/claims"


@pytest.fixture
def headers():
    offices = setup_payments()
    return api_headers(make_staff(offices["cash"]))


def _post_claim(client, headers, **fields):
    body = {"office": conf.cash_office_slug(), "purpose": "Auskunft", "debtor_name": "Jana Meyer", **fields}
    return client.post(
        CLAIMS,
        json.dumps(body),
        content_type="application/json",
        headers={**headers, "Idempotency-Key": json.dumps(fields)[:100]},
    )


def _assert_client_error(response):
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == PROBLEM
    assert response.json()["detail"]


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1E+30", "1e400", "12.345", "-5.00", "0"])
def test_amounts_that_are_no_money_are_refused(client, headers, amount):
    _assert_client_error(_post_claim(client, headers, amount=amount))
    assert not Claim.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [
        {"purpose": "Aus\u0000kunft"},
        {"debtor_name": "\u0000"},
        {"purpose": "x" * 100_000},
        {"quantity": 10**30},
        {"debtor_name": "\u200b\u200c\u200d"},
    ],
)
def test_nul_characters_overlong_text_and_huge_numbers_are_refused(client, headers, fields):
    _assert_client_error(_post_claim(client, headers, amount="5.00", **fields))
    assert not Claim.objects.exists()


def test_oversized_unsigned_notification_is_refused_as_too_large(client):
    response = client.post(
        "/api/v1/payments/notifications",
        b"{" + b" " * (6 * 1024 * 1024) + b"}",
        content_type="application/json",
    )
    _assert_client_error(response)
    assert response.status_code == 413


def test_multipart_without_boundary_is_a_bad_request(client, headers):
    response = client.post(
        "/api/v1/efile/cases/1/documents", b"--x\r\n", content_type="multipart/form-data", headers=headers
    )
    _assert_client_error(response)


def test_nul_in_a_query_parameter_is_refused(client, headers):
    _assert_client_error(client.get("/api/v1/search?q=a%00b", headers=headers))
