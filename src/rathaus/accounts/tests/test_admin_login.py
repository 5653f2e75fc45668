"""The admin has no login of its own: /admin/login/ leads to the staff login (issue 11, finding 2)."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services
from rathaus.accounts.models import StaffRole

from .factories import make_office

pytestmark = pytest.mark.django_db

PASSWORD = "Weserpromenade-1827"


@pytest.fixture
def admin_staff():
    user = services.staff_user_create(
        username="it.admin",
        full_name="Ina Tesch",
        password=PASSWORD,
        office=make_office(),
        role=StaffRole.Role.SACHBEARBEITUNG,
        totp_secret="JBSWY3DPEHPK3PXPJBSWY3DP",
    )
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def test_admin_login_form_is_never_shown_and_never_checks_a_password(client, admin_staff):
    # given: a right password posted to the admin's login, as the review did
    response = client.post("/admin/login/?next=/admin/", {"username": "it.admin", "password": PASSWORD})
    # then: no answer about the password, just the way to the staff login
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff-login") + "?next=/admin/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 302


def test_admin_is_reached_after_password_and_totp_at_the_staff_login(client, admin_staff):
    response = client.get("/admin/")
    assert response.status_code == 302
    login = client.get(response["Location"], follow=True)
    assert login.redirect_chain[-1][0].startswith(reverse("accounts:staff-login"))
    client.post(
        reverse("accounts:staff-login") + "?next=/admin/", {"username": "it.admin", "password": PASSWORD}
    )
    device = TOTPDevice.objects.get(user=admin_staff)
    response = client.post(reverse("accounts:staff-otp"), {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
