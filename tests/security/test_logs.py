"""Secrets never in logs (ASVS 5.0 V16.2.5, GDPR Art. 32): a password login, a token-authenticated
API call and a real OpenID Connect callback (code and state) run with logging at DEBUG through
the configured console handler; neither the password, the token nor the code is written —
nor into the audit log."""

import io
import json
import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services
from rathaus.accounts.models import EidasLevel, StaffRole
from rathaus.directory.models import Office
from rathaus.kernel.logging import RedactSecretsFilter

pytestmark = pytest.mark.django_db

PASSWORD = "Geheim-Weser-4711-Passwort"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


@pytest.fixture
def log_output():
    """What the project's configured console handler writes, with every logger at DEBUG."""
    root = logging.getLogger()
    handlers = [
        h
        for h in root.handlers
        if isinstance(h, logging.StreamHandler) and any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert handlers, "the console handler with the redaction filter is configured (settings.LOGGING)"
    handler = handlers[0]
    buffer = io.StringIO()
    old_stream, old_level = handler.stream, root.level
    handler.setStream(buffer)
    root.setLevel(logging.DEBUG)
    levels = {}
    for name in ("django", "django.request", "django.server", "rathaus", "oauth2_provider", "oauthlib"):
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(logging.DEBUG)
    yield buffer
    handler.setStream(old_stream)
    root.setLevel(old_level)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def _audit_text() -> str:
    from rathaus.kernel.models import AuditEntry

    return json.dumps(list(AuditEntry.objects.values()), default=str)


def test_password_and_totp_code_never_reach_the_log(log_output):
    staff = services.staff_user_create(
        username="m.ahlers",
        full_name="Marta Ahlers",
        password=PASSWORD,
        office=Office.objects.create(slug="log-amt", name="Amt"),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=TOTP_SECRET,
    )
    client = Client()
    client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD + "x"})
    client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    code = f"{totp(TOTPDevice.objects.get(user=staff).bin_key):06d}"
    client.post(reverse("accounts:staff-otp"), {"token": code})
    # an error page with the password in the query string, logged by django.request
    client.get("/gibt-es-nicht/", {"password": PASSWORD})
    written = log_output.getvalue()
    assert "Bad Request" in written or "Not Found" in written  # the handler did receive records
    assert PASSWORD not in written
    assert TOTP_SECRET not in written
    assert PASSWORD not in _audit_text() and TOTP_SECRET not in _audit_text()


def test_api_bearer_token_never_reaches_the_log(log_output):
    office = Office.objects.create(slug="log-api", name="Amt")
    clerk = services.staff_user_create(
        username="api.clerk", full_name="Api Clerk", password=PASSWORD, office=office, role="sachbearbeitung"
    )
    _t, token = services.api_token_issue(owner=clerk, name="Fachverfahren", scopes=["efile:read"])
    client = Client()
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/api/v1/efile/cases/999999", HTTP_AUTHORIZATION=f"Bearer {token}")  # 404, logged
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}x")  # 401, logged
    client.get("/api/v1/gibt-es-nicht", {"token": token}, HTTP_AUTHORIZATION=f"Bearer {token}")
    written = log_output.getvalue()
    assert written  # the handler did receive records
    assert token not in written and token[8:] not in written
    assert token not in _audit_text()


def _oidc_login_logged(log_output, settings) -> tuple[dict[str, str], str]:
    from rathaus.accounts.tests.conftest import ADAPTER
    from rathaus.accounts.tests.factories import make_person

    settings.OIDC_RP_HTTP_ADAPTERS = {"http://testserver/": ADAPTER}
    settings.OIDC_OP_ISSUER = ""
    settings.DEMO_IDP_ENABLED = True
    person = make_person(family_name="Oltmanns", given_names="Frauke")
    client = Client()
    authorize_url = client.get(reverse("accounts:oidc-start"))["Location"]
    answer = client.post(authorize_url, {"register_number": person.register_number, "acr": EidasLevel.HIGH})
    assert answer.status_code == 302, answer.content.decode()[:500]
    callback = answer["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    response = client.get(callback)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    # the replayed callback is refused (and that refusal is logged)
    Client().get(callback)
    written = log_output.getvalue()
    assert written  # the handler did receive records
    return query, written


def test_oidc_authorization_code_never_reaches_the_log(log_output, settings):
    query, written = _oidc_login_logged(log_output, settings)
    assert query["code"] not in written
    assert query["code"] not in _audit_text()


def test_oidc_state_never_reaches_the_log(log_output, settings):
    query, written = _oidc_login_logged(log_output, settings)
    assert query["state"] not in written
