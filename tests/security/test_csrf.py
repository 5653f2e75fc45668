"""CSRF on every POST (ASVS 5.0 V3.5.1): a sweep over every URL pattern of the project.

Every view that is not explicitly exempt refuses a POST without a CSRF token, whoever is
logged in; every exempt view is listed below with the reason it needs no token. A new app's
views are covered the day its urls are included — a new exempt view fails until it is listed.
"""

import pytest
from django.test import Client

from rathaus.accounts.models import User
from rathaus.kernel.testing import log_in_staff

from .csrf_marker import MARKER
from .urlsweep import all_routes, resolves_to_itself

pytestmark = pytest.mark.django_db

# Views that may take a POST without a CSRF token, by URL name, each with its reason.
EXEMPT = {
    # OAuth 2.0 / OIDC endpoints of the built-in demo IdP: called server to server with client
    # authentication and PKCE (RFC 6749 § 3.2, RFC 7636), never with the browser's cookies.
    "oauth2_provider:token": "OAuth token endpoint, client authentication + PKCE",
    "oauth2_provider:user-info": "OIDC userinfo endpoint, bearer access token",
    # The JSON API authenticates with RFC 6750 bearer tokens only (no session cookie), see
    # test_api_ignores_the_session_cookie below; a cross-site form cannot add the header.
    "api:*": "JSON API, bearer tokens only",
}


def _exempt_reason(name: str) -> str | None:
    if name in EXEMPT:
        return EXEMPT[name]
    namespace = name.split(":", 1)[0]
    return EXEMPT.get(f"{namespace}:*")


def _routes():
    seen: dict[str, object] = {}
    for route in all_routes():
        # Two patterns on one path (the API's GET and POST, the admin login redirect) are one
        # view: test the path once, as the resolver serves it.
        if resolves_to_itself(route) and route.path not in seen:
            seen[route.path] = route
    return list(seen.values())


ROUTES = _routes()


def test_the_sweep_sees_every_app():
    names = {route.name.split(":", 1)[0] for route in ROUTES}
    for namespace in [
        "accounts",
        "admin",
        "api",
        "appointments",
        "efile",
        "efile_archive",
        "einvoice",
        "einvoice_intake",
        "payments",
        "portal",
    ]:
        assert namespace in names
    assert len(ROUTES) > 300


def test_every_url_pattern_has_a_testable_example_path():
    """A pattern the sweep cannot build an address for would escape it: fail loudly."""
    shadowed = {"admin:login", "api:case_post", "api:document_post", "api:booking_cancel"}
    unbuilt = [r.route for r in all_routes() if not resolves_to_itself(r) and r.name not in shadowed]
    assert unbuilt == []


def test_every_exempt_view_is_listed_with_a_reason():
    unlisted = sorted(
        f"{route.name} ({route.route})"
        for route in ROUTES
        if route.csrf_exempt and _exempt_reason(route.name) is None
    )
    assert unlisted == []


@pytest.fixture
def superuser_client():
    """Logged in as a superuser whose second factor passed: no login redirect can hide a
    missing CSRF check."""
    user = User.objects.create_superuser("csrf-sweep", password="x" * 20, kind=User.Kind.STAFF)
    return log_in_staff(Client(enforce_csrf_checks=True), user)


@pytest.mark.parametrize("who", ["anonymous", "superuser"])
def test_every_post_without_csrf_token_is_refused(who, settings, request):
    settings.CSRF_FAILURE_VIEW = "tests.security.csrf_marker.csrf_failure"
    client = (
        request.getfixturevalue("superuser_client")
        if who == "superuser"
        else Client(enforce_csrf_checks=True)
    )
    accepted = []
    for route in ROUTES:
        if route.csrf_exempt and _exempt_reason(route.name):
            continue
        response = client.post(route.path, {"x": "1"})
        if response.status_code != 403 or MARKER not in response.content.decode(errors="replace"):
            accepted.append(f"{route.name} {route.path} -> {response.status_code}")
    assert accepted == []


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_unsafe_methods_without_token_are_refused_too(settings, method):
    settings.CSRF_FAILURE_VIEW = "tests.security.csrf_marker.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    leaked = []
    for route in ROUTES:
        if route.csrf_exempt and _exempt_reason(route.name):
            continue
        response = getattr(client, method)(route.path)
        if MARKER not in response.content.decode(errors="replace"):
            leaked.append(f"{route.name} -> {response.status_code}")
    assert leaked == []


def test_a_post_with_the_token_passes_the_csrf_check():
    """The sweep's 403 is the CSRF check, not something else: with the token it goes through."""
    client = Client(enforce_csrf_checks=True)
    client.get("/anmelden/mitarbeitende/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/anmelden/mitarbeitende/",
        {"username": "niemand", "password": "falsch", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 400  # the form's answer, not the CSRF refusal


def test_api_ignores_the_session_cookie(superuser_client):
    """Why the API may be exempt: a logged-in browser session is not an API credential, so a
    cross-site request riding on the cookie gets 401."""
    assert superuser_client.get("/api/v1/me").status_code == 401
    response = superuser_client.post("/api/v1/efile/cases", {"subject": "x"}, content_type="application/json")
    assert response.status_code == 401
