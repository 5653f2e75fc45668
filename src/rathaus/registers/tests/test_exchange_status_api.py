"""A request that needs a clerk's decision answers 202 with a status address; only the asking
office's token reads it (``GET /api/v1/registers/exchange/<id>``, decision 0105)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from rathaus.registers import exchange_decisions
from rathaus.registers.models import ExchangeRecord

from .factories import exchange_world
from .test_api import PROBLEM, URL, _post, _problem, _token
from .test_exchange_decisions import clerk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return exchange_world()


def _get(client, plaintext, exchange_id):
    return client.get(f"{URL}/{exchange_id}", headers={"Authorization": f"Bearer {plaintext}"})


def _pending(client, world):
    _row, plaintext = _token(world.buergeramt)
    response = _post(
        client,
        plaintext,
        legal_basis="pstg-65-behoerden",
        purpose="Namensänderung",
        fields=["name", "address"],
    )
    assert response.status_code == 202, response.content
    return plaintext, response


def test_a_request_needing_a_decision_answers_202_with_a_status_address(client, world):
    plaintext, response = _pending(client, world)
    body = response.json()
    assert body["status"] == "pending" and body["deciding_office"] == "Standesamt Bremen-Mitte"
    assert body["status_url"].endswith(f"{URL}/{body['exchange_id']}")
    assert response["Location"] == body["status_url"]
    assert "data" not in body
    status = _get(client, plaintext, body["exchange_id"])
    assert status.status_code == 200
    assert status.json()["status"] == "pending" and status.json()["data"] is None


def test_after_the_release_the_asking_office_fetches_the_answer(client, world):
    plaintext, response = _pending(client, world)
    exchange_id = response.json()["exchange_id"]
    exchange_decisions.exchange_release(exchange_id=exchange_id, clerk=clerk(world.standesamt, "hinrichs"))
    body = _get(client, plaintext, exchange_id).json()
    assert body["status"] == "answered" and body["data"] == {"name": "Maren Ahlers"}
    assert body["released"] == ["name"] and [w["field"] for w in body["withheld"]] == ["address"]
    assert body["decided_at"]


def test_a_refused_request_shows_the_reason(client, world):
    plaintext, response = _pending(client, world)
    exchange_id = response.json()["exchange_id"]
    exchange_decisions.exchange_refuse(
        exchange_id=exchange_id, clerk=clerk(world.standesamt, "hinrichs"), reason="Nicht erforderlich."
    )
    body = _get(client, plaintext, exchange_id).json()
    assert body["status"] == "refused" and body["refusal_code"] == "clerk_refused"
    assert body["refusal_reason"] == "Nicht erforderlich." and body["data"] is None


def test_another_offices_token_gets_404(client, world):
    _plaintext, response = _pending(client, world)
    exchange_id = response.json()["exchange_id"]
    _row, other = _token(world.finanzamt)
    _problem(_get(client, other, exchange_id), 404, "exchange_unknown")
    _problem(_get(client, other, 2**70), 404, "exchange_unknown")
    _problem(_get(client, other, 0), 404, "exchange_unknown")


def test_a_forged_or_officeless_token_gets_no_status(client, world):
    _plaintext, response = _pending(client, world)
    exchange_id = response.json()["exchange_id"]
    forged = _get(client, "rh_forged_0123456789abcdef0123456789abcdef", exchange_id)
    assert forged.status_code == 401 and forged["Content-Type"] == PROBLEM
    _row, officeless = _token(None)
    _problem(_get(client, officeless, exchange_id), 403, "token_without_office")
    _row, unscoped = _token(world.buergeramt, scopes=("efile:read",))
    _problem(_get(client, unscoped, exchange_id), 403, "missing_scope")
    assert ExchangeRecord.objects.get(pk=exchange_id).outcome == ExchangeRecord.Outcome.PENDING


def test_the_openapi_schema_documents_202_and_the_status_address(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "202" in schema["paths"][URL]["post"]["responses"]
    status = schema["paths"][URL + "/{exchange_id}"]["get"]["responses"]
    assert "200" in status
    for code in ("401", "403", "404"):
        assert status[code]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "exchange_unknown" in status["404"]["description"]
