"""Sessions and authentication (ASVS 5.0 V6, V7): no user enumeration, no session fixation at
login and at the TOTP step, logout ends the session on the server, cookie flags in development
and in production settings, session lifetime."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services
from rathaus.accounts.models import LoginThrottle, StaffRole
from rathaus.directory.models import Office
from rathaus.kernel.middleware import LAST_SEEN_KEY

from .prod_settings import production_settings

pytestmark = pytest.mark.django_db

PASSWORD = "Weserpromenade-1827"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def staff():
    return services.staff_user_create(
        username="m.ahlers",
        full_name="Marta Ahlers",
        password=PASSWORD,
        office=Office.objects.create(slug="sitzung", name="Amt"),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=TOTP_SECRET,
    )


def _code(user) -> str:
    return f"{totp(TOTPDevice.objects.get(user=user).bin_key):06d}"


def _login(client, user) -> None:
    client.post(reverse("accounts:staff-login"), {"username": user.username, "password": PASSWORD})
    response = client.post(reverse("accounts:staff-otp"), {"token": _code(user)})
    assert response.status_code == 302


def _normalised(body: bytes) -> str:
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'nonce="[^"]+"', "", text)
    return re.sub(r'value="[^"]*"', "", text)  # the echoed user name


# --- no user enumeration --------------------------------------------------------------------


def test_unknown_user_wrong_password_and_inactive_user_look_the_same(client, staff):
    inactive = services.staff_user_create(
        username="a.alt",
        full_name="Alt",
        password=PASSWORD,
        office=staff.staffrole_set.first().office
        if hasattr(staff, "staffrole_set")
        else Office.objects.create(slug="alt", name="Alt"),
        role=StaffRole.Role.SACHBEARBEITUNG,
    )
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    answers = []
    for username, password in [
        ("m.ahlers", "falsch-falsch-falsch"),
        ("niemand", "falsch-falsch-falsch"),
        ("a.alt", PASSWORD),
    ]:
        response = Client().post(
            reverse("accounts:staff-login"), {"username": username, "password": password}
        )
        answers.append((response.status_code, _normalised(response.content)))
    assert answers[0][0] == answers[1][0] == answers[2][0] == 400
    assert answers[0][1] == answers[1][1] == answers[2][1]


def test_throttling_answers_the_same_for_known_and_unknown_users(staff):
    """Throttling by user name must not tell which names exist (same status sequence)."""
    sequences = []
    for username in ("m.ahlers", "niemand"):
        client = Client()
        codes = [
            client.post(
                reverse("accounts:staff-login"), {"username": username, "password": "falsch"}
            ).status_code
            for _ in range(12)
        ]
        sequences.append(codes)
        LoginThrottle.objects.all().delete()
        from django.core.cache import cache

        cache.clear()
    assert sequences[0] == sequences[1]
    assert 429 in sequences[0]  # the throttle did engage


def test_a_right_password_with_a_wrong_totp_tells_nothing_before_the_code(client, staff):
    """The password step answers a right password only by asking for the code; a wrong code
    is answered like a wrong password at the first step (no oracle for the password)."""
    response = client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- session fixation and rotation -------------------------------------------------------


def test_a_session_id_planted_before_login_is_worthless_after_it(staff):
    victim = Client()
    victim.get(reverse("accounts:staff-login"))
    victim.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    planted = victim.session.session_key  # what an attacker could have set or read before login
    victim.post(reverse("accounts:staff-otp"), {"token": _code(staff)})
    assert victim.session.session_key != planted
    attacker = Client()
    attacker.cookies["sessionid"] = planted
    response = attacker.get(reverse("efile:inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_password_step_rotates_the_session_key(staff):
    client = Client()
    client.get(reverse("accounts:staff-login"))
    client.session.save()
    before = client.cookies.get("sessionid").value if client.cookies.get("sessionid") else None
    client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    after = client.session.session_key
    assert before is None or before != after


# --- logout ------------------------------------------------------------------------------


def test_logout_is_post_only_and_kills_the_session_on_the_server(staff):
    client = Client()
    _login(client, staff)
    old_key = client.session.session_key
    assert client.get(reverse("efile:inbox")).status_code == 200
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_key
    response = replay.get(reverse("efile:inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_an_expired_session_is_not_accepted(staff):
    client = Client()
    _login(client, staff)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timezone.timedelta(seconds=1)
    )
    response = client.get(reverse("efile:inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_a_session_idle_longer_than_the_timeout_is_logged_out(staff, settings):
    """ASVS 7.3.1: after 30 minutes without a request the session no longer opens staff pages,
    and the login page says why."""
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    _login(client, staff)
    assert client.get(reverse("efile:inbox")).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get(reverse("efile:inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "nach 30 Minuten ohne Aktivität abgemeldet" in page
    assert client.get(reverse("efile:inbox")).status_code == 302


def test_activity_within_the_idle_timeout_keeps_the_session(staff, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    _login(client, staff)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_SECONDS + 120
    session.save()
    assert client.get(reverse("efile:inbox")).status_code == 200
    # the request renewed the last-seen time
    assert client.session[LAST_SEEN_KEY] >= int(time.time()) - 5
    assert client.get(reverse("efile:inbox")).status_code == 200


# --- cookie flags ------------------------------------------------------------------------


def test_session_and_csrf_cookies_are_httponly_and_samesite(staff):
    client = Client()
    page = client.get(reverse("accounts:staff-login"))
    csrf = page.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    response = client.post(reverse("accounts:staff-otp"), {"token": _code(staff)})
    session = response.cookies["sessionid"]
    assert session["httponly"] is True and session["samesite"] == "Lax"
    assert int(session["max-age"]) <= 8 * 60 * 60


PRODUCTION_NAMES = [
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_DOMAIN",
    "LANGUAGE_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "DEBUG",
    "X_FRAME_OPTIONS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
]


@pytest.fixture(scope="module")
def production():
    return production_settings(PRODUCTION_NAMES)


def test_production_settings_harden_cookies_and_transport(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["LANGUAGE_COOKIE_SECURE"] is True
    # __Host- cookies must have no Domain and Path=/ (RFC 6265bis § 4.1.3.2)
    assert production["SESSION_COOKIE_DOMAIN"] is None and production["CSRF_COOKIE_DOMAIN"] is None
    assert production["SESSION_COOKIE_PATH"] in (None, "/")
    assert production["SESSION_COOKIE_HTTPONLY"] in (None, True)
    assert production["SESSION_COOKIE_AGE"] <= 8 * 60 * 60
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SECURE_SSL_REDIRECT"] is True


def test_production_cookie_and_header_values_on_the_wire(settings, production, staff):
    """The production values applied to this process: what a browser receives over HTTPS."""
    for name in (
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_SSL_REDIRECT",
    ):
        setattr(settings, name, production[name])
    client = Client()
    plain = client.get(reverse("accounts:staff-login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    page = client.get(reverse("accounts:staff-login"), secure=True)
    assert "max-age=" in page["Strict-Transport-Security"]
    assert "includeSubDomains" in page["Strict-Transport-Security"]
    csrf = page.cookies[production["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] is True and csrf["path"] == "/" and not csrf["domain"]
    client.post(
        reverse("accounts:staff-login"),
        {"username": "m.ahlers", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        secure=True,
    )
    response = client.post(reverse("accounts:staff-otp"), {"token": _code(staff)}, secure=True)
    cookie = response.cookies[production["SESSION_COOKIE_NAME"]]
    assert cookie["secure"] is True and cookie["httponly"] is True and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"]
