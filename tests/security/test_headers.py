"""Security headers (ASVS 5.0 V3.4) on every page without path parameters, anonymous and
as a superuser past the second factor: a sweep, so new apps' pages are covered."""

import pytest
from django.test import Client

from rathaus.accounts.models import User
from rathaus.kernel.testing import log_in_staff

from .urlsweep import all_routes, resolves_to_itself

pytestmark = pytest.mark.django_db

# Pages the sweep does not GET, each with its reason.
SKIP = {
    "accounts:oidc-start": "redirects to the IdP (no page of ours)",
    "accounts:logout": "POST only",
    "set_language": "POST only",
}

PAGES = sorted(
    {
        route.path: route
        for route in all_routes()
        if "<" not in route.route
        and "(?P" not in route.route
        and "^" not in route.route
        and resolves_to_itself(route)
        and route.name not in SKIP
    }.values(),
    key=lambda r: r.path,
)


def _directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def _problems(path: str, response) -> list[str]:
    problems = []
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options")
    if not response.get("Referrer-Policy"):
        problems.append("Referrer-Policy")
    content_type = response.get("Content-Type", "")
    if response.status_code == 200 and content_type.startswith("text/html"):
        if response.get("X-Frame-Options") != "DENY":
            problems.append("X-Frame-Options")
        csp = response.get("Content-Security-Policy", "")
        directives = _directives(csp)
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append("CSP frame-ancestors")
        for name in ("script-src", "style-src", "default-src"):
            if "'unsafe-inline'" in directives.get(name, []) or "'unsafe-eval'" in directives.get(name, []):
                problems.append(f"CSP {name} unsafe")
        if directives.get("object-src") != ["'none'"]:
            problems.append("CSP object-src")
        if "default-src" not in directives:
            problems.append("CSP default-src")
    return [f"{path}: {p}" for p in problems]


def test_the_sweep_covers_pages_of_every_app():
    namespaces = {page.name.split(":", 1)[0] for page in PAGES}
    assert {
        "portal",
        "accounts",
        "appointments",
        "payments",
        "efile",
        "einvoice",
        "api",
        "admin",
    } <= namespaces


def test_every_page_sends_the_security_headers_anonymous():
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    problems = []
    for page in PAGES:
        problems += _problems(page.path, client.get(page.path))
    assert problems == []


# The admin's add form of a model with a URLField warns about Django 6.0 (not a security matter).
@pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning")
def test_every_page_sends_the_security_headers_to_staff():
    from rathaus.accounts import services
    from rathaus.directory.models import Office

    user = services.staff_user_create(
        username="header-sweep",
        full_name="Sweep Superuser",
        password="x" * 20,
        office=Office.objects.create(slug="header-amt", name="Amt"),
        role="sachbearbeitung",
    )
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    log_in_staff(client, user)
    problems, statuses = [], {}
    for page in PAGES:
        response = client.get(page.path)
        statuses[page.path] = response.status_code
        problems += _problems(page.path, response)
    assert problems == []
    # The superuser sweep really saw the staff pages, not login redirects.
    for path in ("/e-akte/", "/e-rechnung/eingang/", "/kasse/", "/admin/"):
        assert statuses[path] == 200, (path, statuses[path])


def test_error_pages_send_the_headers_too():
    client = Client()
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    api = client.get("/api/v1/gibt-es-nicht")
    assert api.status_code == 404 and api["X-Content-Type-Options"] == "nosniff"


def test_pages_behind_a_login_are_not_stored_by_the_browser():
    """A page that answers 200 only to a logged-in user holds personal or internal data: it
    carries ``Cache-Control: no-store`` (a sweep over citizen and staff pages)."""
    from rathaus.accounts import services
    from rathaus.directory.models import Office

    citizen = User.objects.create_user(username="cache-citizen", kind=User.Kind.CITIZEN)
    citizen_client = Client(HTTP_ACCEPT_LANGUAGE="de")
    citizen_client.force_login(citizen, backend="rathaus.accounts.backends.OidcBackend")
    staff = services.staff_user_create(
        username="cache-staff",
        full_name="Cache Staff",
        password="x" * 20,
        office=Office.objects.create(slug="cache-amt", name="Amt"),
        role="sachbearbeitung",
    )
    staff_client = Client(HTTP_ACCEPT_LANGUAGE="de")
    log_in_staff(staff_client, staff)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de")
    stored, checked = [], 0
    for page in PAGES:
        if page.path.startswith("/admin/"):
            continue  # Django's admin sends its own never_cache headers
        if anonymous.get(page.path).status_code == 200:
            continue  # public page
        for client in (citizen_client, staff_client):
            response = client.get(page.path)
            if response.status_code != 200:
                continue
            checked += 1
            if "no-store" not in response.get("Cache-Control", ""):
                stored.append(page.path)
    assert checked >= 5  # the sweep saw pages behind the login
    assert sorted(set(stored)) == []
