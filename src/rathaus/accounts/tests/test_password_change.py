"""Staff and organisation logins change their own password (ASVS 5.0 6.2.2/6.2.3): the old one
is required and its guesses are throttled, the rules apply, other sessions end, this one stays."""

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services
from rathaus.accounts.models import User
from rathaus.kernel.models import AuditEntry
from rathaus.kernel.testing import CITIZEN_BACKEND, log_in, log_in_staff

from .conftest import STAFF_PASSWORD as OLD
from .factories import make_person

pytestmark = pytest.mark.django_db


NEW = "Schlachte bei Nacht 2026"
URL = "/anmelden/passwort/"


def _change(client, current=OLD, new=NEW, repeat=None):
    return client.post(URL, {"current": current, "new": new, "repeat": new if repeat is None else repeat})


def test_the_page_is_reached_from_my_account(staff):
    client = log_in_staff(Client(), staff)
    page = client.get(reverse("portal:account")).content.decode()
    assert f'href="{URL}"' in page
    assert client.get(URL).status_code == 200


def test_staff_changes_the_password_stays_logged_in_and_other_sessions_end(staff):
    here, elsewhere = log_in_staff(Client(), staff), log_in_staff(Client(), staff)
    response = _change(here)
    assert response.status_code == 302 and response["Location"] == reverse("portal:account")
    staff.refresh_from_db()
    assert staff.check_password(NEW) and not staff.check_password(OLD)
    assert here.get(reverse("portal:account")).status_code == 200
    # The other browser's session was made with the old password hash: it is logged out.
    assert elsewhere.get(reverse("portal:account")).status_code == 302
    entry = AuditEntry.objects.get(action="accounts.password_changed")
    assert entry.target_id == str(staff.pk) and entry.details == {}
    assert NEW not in str(entry.details) and OLD not in str(entry.details)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "field_message"),
    [
        ("falsch-geraten-123", NEW, None, "Das bisherige Passwort stimmt nicht."),
        (OLD, "kurz", None, "Dieses Passwort ist zu kurz"),
        (OLD, "123456789012345", None, "Dieses Passwort ist komplett numerisch."),
        (OLD, "password1234", None, "Dieses Passwort ist zu üblich."),
        (OLD, OLD, None, "Das neue Passwort muss sich vom bisherigen unterscheiden."),
        (OLD, NEW, "Schlachte bei Tag 2026", "Die beiden neuen Passwörter stimmen nicht überein."),
    ],
    ids=["wrong-current", "short", "digits", "common", "same", "repeat"],
)
def test_a_refused_change_says_why_in_german_and_keeps_the_old_password(
    staff, current, new, repeat, field_message
):
    client = log_in_staff(Client(), staff)
    response = _change(client, current=current, new=new, repeat=repeat)
    assert response.status_code == 422
    assert field_message in response.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(OLD)
    assert not AuditEntry.objects.filter(action="accounts.password_changed").exists()


def test_guessing_the_old_password_is_throttled(staff):
    client = log_in_staff(Client(), staff)
    answers = [_change(client, current=f"geraten-{n}-abcdef").content.decode() for n in range(5)]
    assert "Zu viele Versuche" in answers[-1]
    # Even the right password waits now, as at the login.
    assert "Zu viele Versuche" in _change(client).content.decode()
    staff.refresh_from_db()
    assert staff.check_password(OLD)


def test_an_organisation_login_changes_its_password():
    organisation = services.organisation_create(name="Hansa Bau GmbH", kind="company", vat_id="DE123456789")
    user = services.organisation_user_create(
        organisation=organisation,
        username="einkauf@hansabau.example",
        full_name="Lea Brinkmann",
        email="einkauf@hansabau.example",
        password=OLD,
        by=None,
    )
    client = Client()
    client.post(reverse("accounts:staff-login"), {"username": user.username, "password": OLD})
    assert f'href="{URL}"' in client.get(reverse("portal:account")).content.decode()
    assert _change(client).status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_staff_need_the_second_factor_for_it(staff):
    half = Client()
    half.force_login(staff)  # password step only: no verified device in this session
    response = half.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:staff-login"))
    assert _change(half).status_code == 302
    staff.refresh_from_db()
    assert staff.check_password(OLD)


def test_citizens_have_no_password_here_and_strangers_are_sent_to_the_login():
    citizen = services.citizen_account_for_person(person=make_person())
    assert log_in(Client(), citizen, backend=CITIZEN_BACKEND).get(URL).status_code == 404
    response = Client().get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:staff-login"))


def test_the_service_refuses_accounts_without_a_password():
    citizen = services.citizen_account_for_person(person=make_person())
    from rathaus.kernel.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.password_change(user=citizen, current="", new=NEW, address="127.0.0.1")
    assert User.objects.get(pk=citizen.pk).has_usable_password() is False
