"""Account services: staff, citizens, organisations, API tokens, login events."""

import base64
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import selectors, services
from rathaus.accounts.models import ApiToken, StaffRole, User
from rathaus.kernel import audit

from .factories import make_office, make_person

pytestmark = pytest.mark.django_db

PASSWORD = "Weserpromenade-1827"


def test_staff_user_create_makes_role_and_confirmed_totp_device_with_hex_key():
    office = make_office()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DP"
    user = services.staff_user_create(
        username="k.sievers",
        full_name="Karin Sievers",
        password=PASSWORD,
        office=office,
        role="sachbearbeitung",
        totp_secret=secret,
    )
    assert (user.kind, user.first_name, user.last_name) == (User.Kind.STAFF, "Karin", "Sievers")
    assert user.check_password(PASSWORD)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    assert device.key == base64.b32decode(secret).hex()
    assert selectors.user_has_role(user, office, "sachbearbeitung")
    assert not selectors.user_has_role(user, office, "leitung")
    assert list(selectors.staff_offices(user)) == [office]
    assert (
        audit.entries_for_target("accounts.user", user.pk)
        .filter(action="accounts.staff_user_created")
        .exists()
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "hausmeister"}, "Unbekannte Rolle"),
        ({"password": "kurz"}, "zu kurz"),
        ({"totp_secret": "not base32!"}, "Base32"),
    ],
)
def test_staff_user_create_refuses_bad_input_and_leaves_nothing_behind(changes, message):
    values = {
        "username": "x.y",
        "full_name": "X Y",
        "password": PASSWORD,
        "office": make_office(),
        "role": "leitung",
        "totp_secret": None,
    } | changes
    with pytest.raises(ValidationError) as error:
        services.staff_user_create(**values)
    assert message in " ".join(error.value.messages)
    assert not User.objects.filter(username="x.y").exists()


def test_roles_are_unique_per_user_office_and_role():
    office = make_office()
    user = services.staff_user_create(
        username="r.r", full_name="R R", password=PASSWORD, office=office, role="leitung"
    )
    services.staff_role_grant(user=user, office=office, role="leitung", by=None)
    assert StaffRole.objects.filter(user=user).count() == 1


def test_citizen_account_for_person_is_created_once():
    person = make_person()
    first = services.citizen_account_for_person(person=person)
    second = services.citizen_account_for_person(person=person)
    assert first.pk == second.pk
    assert first.kind == User.Kind.CITIZEN
    assert not first.has_usable_password()
    assert (first.first_name, first.last_name) == (person.given_names, person.family_name)


def test_only_authorities_have_a_leitweg_id():
    authority = services.organisation_create(
        name="Senator für Finanzen", kind="authority", leitweg_id="04011000-1234512345-06"
    )
    assert authority.leitweg_id == "04011000-1234512345-06"
    with pytest.raises(ValidationError) as error:
        services.organisation_create(
            name="Hansa Bau GmbH", kind="company", leitweg_id="04011000-1234512345-06"
        )
    assert "Nur Behörden haben eine Leitweg-ID." in error.value.messages


def test_api_token_is_stored_only_as_hash_and_shown_once():
    owner = services.staff_user_create(
        username="api.t", full_name="Api T", password=PASSWORD, office=make_office(), role="admin"
    )
    token, plaintext = services.api_token_issue(owner=owner, name="Fachverfahren", scopes=["me:read"])
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.prefix == plaintext[:8]
    assert stored.key_hash == services.api_token_hash(plaintext)
    assert plaintext not in str(ApiToken.objects.filter(pk=token.pk).values().first())
    entry = audit.entries_for_target("accounts.apitoken", token.pk).get()
    assert plaintext not in str(entry.details)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scopes": ["Großbuchstaben"]}, "Ungültige Berechtigungen"),
        ({"expires_at": datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)}, "Zukunft"),
        ({"name": "  "}, "Namen"),
    ],
)
def test_api_token_issue_refuses_bad_input(kwargs, message):
    owner = services.staff_user_create(
        username="api.u", full_name="Api U", password=PASSWORD, office=make_office(), role="admin"
    )
    values = {"owner": owner, "name": "n", "scopes": []} | kwargs
    with pytest.raises(ValidationError) as error:
        services.api_token_issue(**values)
    assert message in " ".join(error.value.messages)
    assert not ApiToken.objects.exists()


def test_api_token_revoke_keeps_the_first_time():
    owner = services.staff_user_create(
        username="api.v", full_name="Api V", password=PASSWORD, office=make_office(), role="admin"
    )
    token, _plaintext = services.api_token_issue(owner=owner, name="n", scopes=[])
    first = services.api_token_revoke(token=token, by=owner).revoked_at
    assert first is not None
    assert services.api_token_revoke(token=token, by=owner).revoked_at == first
    assert not token.__class__.objects.get(pk=token.pk).is_usable(now=timezone.now())


@pytest.mark.parametrize(
    ("address", "network"),
    [("192.0.2.77", "192.0.2.0/24"), ("2001:db8:1:2::5", "2001:db8:1::/48"), ("unbekannt", "")],
)
def test_login_events_keep_only_the_network(address, network):
    assert services.truncate_ip(address) == network
