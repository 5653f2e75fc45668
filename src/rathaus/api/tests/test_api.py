"""The API base: token authentication and RFC 9457 problem details for every error."""

import datetime

import pytest
from django.utils import timezone
from ninja import Router

from rathaus.accounts import services
from rathaus.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def organisation_user():
    organisation = services.organisation_create(name="Hansa Bau GmbH", kind="company", vat_id="DE123456789")
    return services.organisation_user_create(
        organisation=organisation,
        username="einkauf@hansabau.example",
        full_name="Lea Brinkmann",
        email="einkauf@hansabau.example",
        password="Weserpromenade-1827",
        by=None,
    )


@pytest.fixture
def token(organisation_user):
    return services.api_token_issue(owner=organisation_user, name="ERP", scopes=["einvoice:submit"])


def _bearer(plaintext: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {plaintext}"}


def _assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    return body


def test_me_with_valid_token_names_owner_organisation_and_scopes(client, token):
    api_token, plaintext = token
    response = client.get("/api/v1/me", headers=_bearer(plaintext))
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "einkauf@hansabau.example"
    assert data["organisation"]["name"] == "Hansa Bau GmbH"
    assert data["token"] == {
        "name": "ERP",
        "prefix": plaintext[:8],
        "scopes": ["einvoice:submit"],
        "expires_at": None,
    }
    assert ApiToken.objects.get(pk=api_token.pk).last_used_at is not None


def test_missing_token_is_401_problem_with_bearer_challenge(client):
    body = _assert_problem(client.get("/api/v1/me"), 401)
    assert body["instance"] == "/api/v1/me"


def test_missing_token_challenge_has_no_error_code_but_wrong_token_does(client, token):
    assert client.get("/api/v1/me")["WWW-Authenticate"] == 'Bearer realm="rathaus"'
    response = client.get("/api/v1/me", headers=_bearer("x" * 43))
    _assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Bearer realm="rathaus", error="invalid_token"'


def test_token_with_right_prefix_but_wrong_secret_is_refused(client, token):
    _api_token, plaintext = token
    forged = plaintext[:8] + ("A" if plaintext[8] != "A" else "B") + plaintext[9:]
    _assert_problem(client.get("/api/v1/me", headers=_bearer(forged)), 401)


def test_revoked_token_is_refused(client, token, organisation_user):
    api_token, plaintext = token
    services.api_token_revoke(token=api_token, by=organisation_user)
    _assert_problem(client.get("/api/v1/me", headers=_bearer(plaintext)), 401)


def test_expired_token_is_refused(client, organisation_user):
    api_token, plaintext = services.api_token_issue(
        owner=organisation_user,
        name="kurz",
        scopes=[],
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    ApiToken.objects.filter(pk=api_token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    _assert_problem(client.get("/api/v1/me", headers=_bearer(plaintext)), 401)


def test_token_of_deactivated_user_is_refused(client, token, organisation_user):
    organisation_user.is_active = False
    organisation_user.save()
    _assert_problem(client.get("/api/v1/me", headers=_bearer(token[1])), 401)


def test_unknown_path_under_api_is_404_problem(client, token):
    body = _assert_problem(client.get("/api/v1/gibt-es-nicht", headers=_bearer(token[1])), 404)
    assert body["instance"] == "/api/v1/gibt-es-nicht"


def test_wrong_method_is_405_problem_with_allow_header(client, token):
    response = client.delete("/api/v1/me", headers=_bearer(token[1]))
    _assert_problem(response, 405)
    assert "GET" in response["Allow"]


def test_too_many_requests_is_429_problem_with_retry_after(client, token, settings):
    settings.RATHAUS_API_RATE_PER_MINUTE = 2
    statuses = [client.get("/api/v1/me", headers=_bearer(token[1])).status_code for _ in range(2)]
    assert statuses == [200, 200]
    response = client.get("/api/v1/me", headers=_bearer(token[1]))
    _assert_problem(response, 429)
    assert int(response["Retry-After"]) >= 1


def test_the_configured_rate_of_five_refuses_the_sixth_request_of_a_minute(client, token, settings):
    """Issue 20, finding 6: RATHAUS_API_RATE_PER_MINUTE (here as the settings read it) applies."""
    settings.RATHAUS_API_RATE_PER_MINUTE = 5
    statuses = [client.get("/api/v1/me", headers=_bearer(token[1])).status_code for _ in range(5)]
    assert statuses == [200] * 5
    sixth = client.get("/api/v1/me", headers=_bearer(token[1]))
    _assert_problem(sixth, 429)
    assert 1 <= int(sixth["Retry-After"]) <= 61


def test_openapi_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Rathaus API"
    assert "/api/v1/me" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


# --- Error mapping, exercised through a router mounted on a throwaway API like an app's ------


@pytest.fixture(scope="module")
def probe_urls():
    """A second NinjaAPI with the same problem handlers and a router of probe operations."""
    from django.urls import path
    from ninja import NinjaAPI, Schema

    from rathaus.api import problems
    from rathaus.api.auth import TokenAuth, require_scope
    from rathaus.kernel.exceptions import NotFound, PermissionDenied

    class Payload(Schema):
        name: str
        count: int

    router = Router()

    @router.post("/validate")
    def validate(request, payload: Payload, page: int = 1):
        return {"ok": True}

    @router.get("/missing")
    def missing(request):
        raise NotFound("Der Vorgang wurde nicht gefunden.", code="case_not_found")

    @router.get("/forbidden")
    def forbidden(request):
        raise PermissionDenied("Sie dürfen diesen Vorgang nicht sehen.")

    @router.get("/scoped")
    def scoped(request):
        require_scope(request, "cases:read")
        return {"ok": True}

    @router.get("/crash")
    def crash(request):
        raise RuntimeError("secret internals: password=hunter2")

    probe = NinjaAPI(title="probe", version="probe", auth=TokenAuth(), urls_namespace="probe-api")
    problems.install(probe)
    probe.add_router("", router)
    return [path("probe/", probe.urls)]


@pytest.fixture
def probe(settings, probe_urls):
    import types

    module = types.ModuleType("probe_urlconf")
    from rathaus.config import urls as real

    module.urlpatterns = probe_urls + real.urlpatterns
    settings.ROOT_URLCONF = module
    return module


def test_validation_error_is_422_problem_listing_the_invalid_fields(client, token, probe):
    response = client.post(
        "/probe/validate?page=zwei",
        {"name": "x", "count": "viele"},
        content_type="application/json",
        headers=_bearer(token[1]),
    )
    body = _assert_problem(response, 422)
    places = {e.get("pointer") or e.get("parameter") for e in body["errors"]}
    assert places == {"#/count", "page"}
    assert "#/count" in body["detail"]


def test_kernel_not_found_is_404_problem_with_its_german_message_and_code(client, token, probe):
    body = _assert_problem(client.get("/probe/missing", headers=_bearer(token[1])), 404)
    assert body["detail"] == "Der Vorgang wurde nicht gefunden."
    assert body["type"] == "urn:rathaus:problem:case_not_found"


def test_kernel_permission_denied_is_403_problem(client, token, probe):
    body = _assert_problem(client.get("/probe/forbidden", headers=_bearer(token[1])), 403)
    assert body["detail"] == "Sie dürfen diesen Vorgang nicht sehen."


def test_missing_scope_is_403_problem(client, token, probe):
    body = _assert_problem(client.get("/probe/scoped", headers=_bearer(token[1])), 403)
    assert "cases:read" in body["detail"]


def test_crash_is_500_problem_without_internals(client, token, probe, caplog):
    response = client.get("/probe/crash", headers=_bearer(token[1]))
    body = _assert_problem(response, 500)
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()
    assert body["title"] == "Interner Fehler"
