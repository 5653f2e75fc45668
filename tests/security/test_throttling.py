"""Throttling of every guessable secret (ASVS 5.0 V6.3.1, V2.4.1): what
accounts/tests/test_throttling.py does not already prove (password step, per user name and
address, and 20 parallel guesses): the TOTP code and API bearer tokens."""

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services
from rathaus.accounts.models import StaffRole
from rathaus.directory.models import Office

pytestmark = pytest.mark.django_db

PASSWORD = "Weserpromenade-1827"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def test_guessing_the_totp_code_is_stopped(settings):
    """A right password gives at most a handful of code guesses (1 in 10^6 each), then 429 or
    the password step again — never an unlimited supply of guesses in one pending login."""
    services.staff_user_create(
        username="m.ahlers",
        full_name="Marta Ahlers",
        password=PASSWORD,
        office=Office.objects.create(slug="otp-amt", name="Amt"),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret=TOTP_SECRET,
    )
    client = Client()
    client.post(reverse("accounts:staff-login"), {"username": "m.ahlers", "password": PASSWORD})
    answers = [
        client.post(reverse("accounts:staff-otp"), {"token": f"{n:06d}"}).status_code
        for n in range(100000, 100030)
    ]
    stopped = [i for i, code in enumerate(answers) if code in (429, 302)]
    assert stopped and stopped[0] <= 10, answers


def test_guessing_api_tokens_from_one_address_is_throttled():
    """Bearer tokens are 256-bit secrets (guessing is hopeless), but a flood of wrong tokens
    from one address should still be slowed down instead of costing a database lookup each."""
    client = Client()
    answers = [
        client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer guess{n:020d}guess").status_code
        for n in range(300)
    ]
    assert 429 in answers, set(answers)
