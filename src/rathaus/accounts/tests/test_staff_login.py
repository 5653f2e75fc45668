"""Staff login: password, then TOTP; progressive throttling; POST-only logout."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services, throttling
from rathaus.accounts.models import LoginEvent, LoginThrottle, User

from .conftest import STAFF_PASSWORD as PASSWORD
from .factories import make_office, make_person

pytestmark = pytest.mark.django_db


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"


def _password_step(client, username=None, password=PASSWORD):
    return client.post(
        reverse("accounts:staff-login"), {"username": username or "m.ahlers", "password": password}
    )


def test_staff_logs_in_with_password_and_totp_and_session_is_verified(client, staff):
    # given
    client.get(reverse("accounts:staff-login"))
    response = _password_step(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:staff-otp")
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    key_before = client.session.session_key
    # when
    response = client.post(reverse("accounts:staff-otp"), {"token": _code(staff)})
    # then
    assert response.status_code == 302 and response["Location"] == reverse("portal:account")
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.session.session_key != key_before
    assert client.get(reverse("portal:account")).status_code == 200
    event = LoginEvent.objects.get(user=staff)
    assert event.method == LoginEvent.Method.PASSWORD_TOTP
    assert event.ip_network == "127.0.0.0/24"


def test_wrong_totp_code_does_not_log_in(client, staff):
    _password_step(client)
    wrong = "000000" if _code(staff) != "000000" else "111111"
    response = client.post(reverse("accounts:staff-otp"), {"token": wrong})
    assert response.status_code == 400
    assert "Der Code ist falsch oder abgelaufen." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_totp_step_without_password_step_goes_back_to_the_start(client, staff):
    response = client.post(reverse("accounts:staff-otp"), {"token": _code(staff)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:staff-login")


@pytest.mark.parametrize("username", ["m.ahlers", "niemand"])
def test_unknown_user_and_wrong_password_get_the_same_answer(client, staff, username):
    response = _password_step(client, username=username, password="falsch-falsch-falsch")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Benutzername oder Passwort ist falsch." in body
    assert "kern-alert--danger" in body  # the error summary at the top of the form


def test_citizen_cannot_use_the_staff_login(client):
    """A citizen account never logs in with a password, even if one were set."""
    citizen = services.citizen_account_for_person(person=make_person())
    citizen.set_password(PASSWORD)
    citizen.save()
    response = _password_step(client, username=citizen.username)
    assert response.status_code == 400
    assert "Benutzername oder Passwort ist falsch." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_without_second_factor_is_not_logged_in(client):
    services.staff_user_create(
        username="ohne.totp", full_name="Ohne Code", password=PASSWORD, office=make_office(), role="leitung"
    )
    response = _password_step(client, username="ohne.totp")
    assert response.status_code == 403
    assert "kein zweiter Faktor" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_organisation_user_logs_in_with_password_alone(client):
    organisation = services.organisation_create(name="Hansa Bau GmbH", kind="company", vat_id="DE123456789")
    user = services.organisation_user_create(
        organisation=organisation,
        username="einkauf@hansabau.example",
        full_name="Lea Brinkmann",
        email="einkauf@hansabau.example",
        password=PASSWORD,
        by=None,
    )
    response = _password_step(client, username=user.username)
    # … and lands on its own start page ("Mein Konto"), not on a staff page it may not see.
    assert response.status_code == 302 and response["Location"] == reverse("portal:account")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(reverse("portal:account")).status_code == 200
    # It is not staff: the staff pages answer 403.
    assert client.get(reverse("efile:inbox")).status_code == 403


def test_failed_logins_are_throttled_progressively_with_a_german_message(client, staff):
    """After the free attempts the answer is a wait, not a lockout: the right password waits too."""
    for _ in range(3):
        assert _password_step(client, password="falsch-falsch-falsch").status_code == 400
    # more failures: the wait is now 2^(8-3+1) = 64 s
    LoginThrottle.objects.filter(key__startswith="user:").update(attempts=8)
    response = _password_step(client)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Zu viele Anmeldeversuche. Bitte warten Sie" in body
    assert "Sekunden." in body
    assert "_auth_user_id" not in client.session


def test_staff_pages_need_an_otp_verified_session(client, staff):
    """A session logged in without the second factor is sent to the staff login."""
    client.force_login(staff, backend="rathaus.accounts.backends.PasswordBackend")
    response = client.get(reverse("efile:inbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff-login"))


def test_staff_pages_refuse_citizens(client):
    citizen = services.citizen_account_for_person(person=make_person())
    client.force_login(citizen, backend="rathaus.accounts.backends.OidcBackend")
    assert client.get(reverse("efile:inbox")).status_code == 403


def test_logout_only_by_post(client, staff):
    client.force_login(staff, backend="rathaus.accounts.backends.PasswordBackend")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_successful_logins_from_one_office_address_are_never_throttled(client, staff):
    """Attempts are counted before they are checked; successes are taken back again, so a busy
    office behind one address does not run into the address limit."""
    for _ in range(throttling.FREE_ATTEMPTS_PER_ADDRESS + 2):
        client.logout()
        assert _password_step(client).status_code == 302
        assert client.post(reverse("accounts:staff-otp"), {"token": _code(staff)}).status_code == 302
        TOTPDevice.objects.filter(user=staff).update(last_t=-1)  # the same code may be used again
    assert LoginThrottle.objects.get(key="addr:127.0.0.1").attempts == 0


def test_reentering_the_right_password_buys_no_fresh_guesses_at_the_code(client, staff):
    for _ in range(3):
        assert _password_step(client).status_code == 302
        wrong = f"{(int(_code(staff)) + 1) % 1_000_000:06d}"
        assert client.post(reverse("accounts:staff-otp"), {"token": wrong}).status_code == 400
    assert _password_step(client).status_code == 429
