"""Open redirects (ASVS 5.0 V3.7.2 / V15): no page sends the browser to another site,
whatever the redirect parameters say. A sweep over every page without path parameters, GET
and POST, anonymous and logged in, plus the flows that carry ``next`` across steps."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services
from rathaus.accounts.models import StaffRole, User
from rathaus.directory.models import Office

from .urlsweep import all_routes, resolves_to_itself

pytestmark = pytest.mark.django_db

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
]
PARAMETERS = [
    "next",
    "return",
    "return_to",
    "returnUrl",
    "redirect",
    "redirect_to",
    "redirectUrl",
    "url",
    "back",
]
PASSWORD = "Weserpromenade-1827"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"

PAGES = sorted(
    {
        route.path
        for route in all_routes()
        if "<" not in route.route
        and "(?P" not in route.route
        and resolves_to_itself(route)
        and not route.path.startswith("/admin/")  # Django's admin: is_safe_url in its own code
    }
)


def _offsite(location: str | None) -> bool:
    if not location:
        return False
    # Browsers read a backslash as a slash: "/\evil.example" is "//evil.example".
    parts = urlsplit(location.replace("\\", "/").strip())
    if parts.scheme and parts.scheme not in ("http", "https"):
        return True
    return bool(parts.netloc) and parts.netloc != "testserver"


def _sweep(client: Client) -> list[str]:
    found = []
    for evil in EVIL:
        query = {name: evil for name in PARAMETERS}
        for path in PAGES:
            for method in (client.get, client.post):
                response = (
                    method(path, query)
                    if method is client.get
                    else method(path + "?" + "&".join(f"{k}={v}" for k, v in query.items()), query)
                )
                if _offsite(response.get("Location")) or _offsite(response.get("Refresh")):
                    found.append(f"{method.__name__.upper()} {path} {evil!r} -> {response['Location']}")
    return found


def test_no_page_redirects_off_site_anonymous(settings):
    settings.DEMO_IDP_ENABLED = True
    assert _sweep(Client()) == []


def test_no_page_redirects_off_site_for_a_logged_in_citizen():
    citizen = User.objects.create_user(username="redirect-citizen", kind=User.Kind.CITIZEN)
    client = Client()
    client.force_login(citizen, backend="rathaus.accounts.backends.OidcBackend")
    assert _sweep(client) == []


@pytest.fixture
def staff():
    return services.staff_user_create(
        username="m.ahlers",
        full_name="Marta Ahlers",
        password=PASSWORD,
        office=Office.objects.create(slug="redirect-amt", name="Amt"),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=TOTP_SECRET,
    )


@pytest.mark.parametrize("evil", EVIL)
def test_staff_login_carries_no_foreign_next_through_the_totp_step(client, staff, evil):
    response = client.post(
        reverse("accounts:staff-login") + f"?next={evil}",
        {"username": "m.ahlers", "password": PASSWORD, "next": evil},
    )
    assert response.status_code == 302 and not _offsite(response["Location"])
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(
        reverse("accounts:staff-otp"), {"token": f"{totp(device.bin_key):06d}", "next": evil}
    )
    assert response.status_code == 302
    assert not _offsite(response["Location"]), response["Location"]


def test_staff_login_keeps_a_local_next(client, staff):
    client.post(
        reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD, "next": "/kasse/"}
    )
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(reverse("accounts:staff-otp"), {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/kasse/"


@pytest.mark.parametrize("evil", EVIL)
def test_language_switch_refuses_a_foreign_next(client, evil):
    response = client.post("/i18n/setlang/", {"language": "en", "next": evil}, HTTP_REFERER=evil)
    assert not _offsite(response.get("Location")), response.get("Location")


@pytest.mark.parametrize("evil", EVIL)
def test_citizen_login_start_keeps_no_foreign_next(client, settings, evil):
    """The eID login remembers ``next`` for the return from the IdP: only a local one."""
    settings.DEMO_IDP_ENABLED = True
    client.get(reverse("accounts:oidc-start"), {"next": evil})
    remembered = [str(v) for v in client.session.values()]
    assert not any(evil in value for value in remembered), remembered
