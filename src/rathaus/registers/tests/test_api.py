"""``POST /api/v1/registers/exchange``: other authorities ask the registers with a token bound to
their office; only covered fields are answered, every refusal is problem+json with a stable code
and logged (issue 15)."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from rathaus.accounts import services as account_services
from rathaus.accounts.models import ApiToken, User
from rathaus.kernel.audit import AuditEntry
from rathaus.registers import services
from rathaus.registers.models import ExchangeRecord

from .factories import exchange_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/registers/exchange"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _clear_cache():
    """The API's rate counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world():
    return exchange_world()


def _token(office, scopes=("registers:exchange",), **extra) -> tuple[ApiToken, str]:
    owner = User.objects.create_user(username=f"verfahren-{User.objects.count()}")
    return account_services.api_token_issue(
        owner=owner, name="Fachverfahren", scopes=list(scopes), office=office, **extra
    )


def _post(client, plaintext, **body):
    payload = {
        "register_number": "HBX1",
        "fields": ["name", "date_of_birth", "address"],
        "purpose": "Prüfung der Steuerpflicht",
        "legal_basis": "bmg-34-grunddaten",
        **body,
    }
    return client.post(
        URL, payload, content_type="application/json", headers={"Authorization": f"Bearer {plaintext}"}
    )


def _problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["code"] == code and body["type"] == f"urn:rathaus:problem:{code}"
    return body


def test_the_office_of_the_token_asks_and_gets_only_covered_fields(client, world):
    _row, plaintext = _token(world.finanzamt)
    # when: the body names another office; it is ignored
    response = _post(
        client, plaintext, fields=["name", "address", "tax_id"], requesting_office="familienkasse"
    )
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"] == {"name": "Maren Ahlers", "address": "Am Wall 1, 28195 Bremen"}
    assert body["released"] == ["name", "address"]
    assert [w["field"] for w in body["withheld"]] == ["tax_id"]
    assert body["withheld"][0]["reason"]
    assert body["requesting_office"] == "finanzamt-bremen" and body["legal_basis"] == "§ 34 Abs. 1 BMG"
    record = ExchangeRecord.objects.get(pk=body["exchange_id"])
    assert record.requesting_office == world.finanzamt
    assert record.outcome == ExchangeRecord.Outcome.ANSWERED
    entry = AuditEntry.objects.get(action="exchange.answered")
    assert entry.actor_type == "authority" and entry.actor_label.startswith("Finanzamt Bremen (API-Token")


def test_a_forged_token_is_refused_and_nothing_is_asked(client, world):
    _token(world.finanzamt)
    response = _post(client, "x" * 43)
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert 'error="invalid_token"' in response["WWW-Authenticate"]
    assert not ExchangeRecord.objects.exists()


def test_an_expired_token_is_refused(client, world):
    token, plaintext = _token(world.finanzamt, expires_at=timezone.now() + datetime.timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _post(client, plaintext)
    assert response.status_code == 401
    assert "abgelaufen" in response.json()["detail"]
    assert not ExchangeRecord.objects.exists()


def test_a_token_without_the_scope_is_refused(client, world):
    _row, plaintext = _token(world.finanzamt, scopes=["efile:read"])
    body = _problem(_post(client, plaintext), 403, "missing_scope")
    assert "registers:exchange" in body["detail"]
    assert not ExchangeRecord.objects.exists()


def test_a_token_bound_to_no_office_is_refused(client, world):
    _row, plaintext = _token(None)
    body = _problem(_post(client, plaintext), 403, "token_without_office")
    assert "Dienststelle" in body["detail"]


def test_an_office_the_catalogue_does_not_allow_is_refused_and_logged(client, world):
    _row, plaintext = _token(world.finanzamt)
    # when: § 69 EStG is for the Familienkasse only
    body = _problem(_post(client, plaintext, legal_basis="estg-69-familienkasse"), 403, "office_not_allowed")
    # then
    assert "Finanzamt Bremen" in body["detail"] and "§ 69 EStG" in body["detail"]
    record = ExchangeRecord.objects.get(pk=body["exchange_id"])
    assert record.outcome == ExchangeRecord.Outcome.REFUSED
    assert record.requesting_office == world.finanzamt and record.person == world.mother
    assert record.refusal_code == "office_not_allowed" and record.fields_released == []
    assert AuditEntry.objects.filter(action="exchange.refused").count() == 1


def _consent(world, **extra):
    return services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test", **extra)


def test_with_consent_only_the_consented_fields_are_returned(client, world):
    consent = _consent(world, categories=["identity", "children"])
    _row, plaintext = _token(world.elterngeldstelle)
    # when
    response = _post(
        client,
        plaintext,
        legal_basis="",
        consent_id=consent.pk,
        fields=["name", "children", "address", "tax_id"],
        purpose="Elterngeld für Jonte",
    )
    # then: the address is covered by § 25 BEEG but not by this consent
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["released"] == ["name", "children"] and body["by_consent"] is True
    assert set(body["data"]) == {"name", "children"}
    assert [w["field"] for w in body["withheld"]] == ["address", "tax_id"]


def test_a_withdrawn_consent_is_refused_and_logged(client, world):
    consent = _consent(world)
    services.consent_withdraw(consent_id=consent.pk, person_id=world.mother.pk, by="test")
    _row, plaintext = _token(world.elterngeldstelle)
    body = _problem(
        _post(client, plaintext, legal_basis="", consent_id=consent.pk, fields=["name"]),
        403,
        "consent_withdrawn",
    )
    assert "widerrufen" in body["detail"]
    record = ExchangeRecord.objects.get(pk=body["exchange_id"])
    assert record.outcome == ExchangeRecord.Outcome.REFUSED and record.consent == consent


def test_another_office_cannot_use_a_consent_given_to_the_elterngeldstelle(client, world):
    consent = _consent(world)
    _row, plaintext = _token(world.familienkasse)
    _problem(
        _post(client, plaintext, legal_basis="", consent_id=consent.pk, fields=["name"]),
        403,
        "office_not_allowed",
    )


def test_an_unknown_register_number_is_404_and_logged_by_the_number(client, world):
    _row, plaintext = _token(world.finanzamt)
    body = _problem(_post(client, plaintext, register_number="HB-UNBEKANNT"), 404, "person_unknown")
    record = ExchangeRecord.objects.get(pk=body["exchange_id"])
    assert record.person is None and record.person_ref == "HB-UNBEKANNT"


def test_an_office_that_may_not_ask_does_not_learn_whether_a_person_exists(client, world):
    """The same refusal for a resident and for a number nobody has: no probing of the register."""
    _row, plaintext = _token(world.finanzamt)
    known = _problem(_post(client, plaintext, legal_basis="estg-69-familienkasse"), 403, "office_not_allowed")
    unknown = _problem(
        _post(client, plaintext, legal_basis="estg-69-familienkasse", register_number="HB-UNBEKANNT"),
        403,
        "office_not_allowed",
    )
    assert known["detail"] == unknown["detail"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"legal_basis": ""}, 422, "basis_missing"),
        ({"legal_basis": "bmg-99-alles"}, 422, "unknown_basis"),
        ({"legal_basis": "beeg-25-geburt"}, 403, "consent_required"),
        ({"fields": ["tax_id"]}, 403, "nothing_permitted"),
    ],
)
def test_refusals_name_a_stable_code(client, world, body, status, code):
    _row, plaintext = _token(world.finanzamt)
    _problem(_post(client, plaintext, **body), status, code)
    assert ExchangeRecord.objects.get().refusal_code == code


def test_a_deceased_person_is_409(client, world):
    type(world.mother).objects.filter(pk=world.mother.pk).update(date_of_death=datetime.date(2026, 1, 2))
    _row, plaintext = _token(world.finanzamt)
    _problem(_post(client, plaintext), 409, "person_deceased")


def test_invalid_input_is_422_naming_the_field(client, world):
    _row, plaintext = _token(world.finanzamt)
    response = _post(client, plaintext, fields=[], register_number="x" * 21)
    assert response.status_code == 422
    pointers = {e.get("pointer") for e in response.json()["errors"]}
    assert {"#/fields", "#/register_number"} <= pointers
    assert not ExchangeRecord.objects.exists()


def test_the_openapi_schema_documents_the_refusals(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"][URL]["post"]["responses"]
    for status in ("401", "403", "404", "409", "422"):
        assert responses[status]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "consent_withdrawn" in responses["403"]["description"]
    assert "person_unknown" in responses["404"]["description"]
