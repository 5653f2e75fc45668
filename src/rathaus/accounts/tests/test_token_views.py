"""An organisation's self-service API keys (issue 11, finding 13): issue, see once, use, revoke."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services
from rathaus.accounts.models import ApiToken, Organisation, User
from rathaus.kernel.models import AuditEntry

pytestmark = pytest.mark.django_db

PAGE = "/mein-konto/api-zugang/"


def _organisation_user(name: str = "Muster GmbH", username: str = "muster") -> User:
    organisation = services.organisation_create(name=name, kind=Organisation.Kind.COMPANY)
    return services.organisation_user_create(
        organisation=organisation,
        username=username,
        full_name="Maria Muster",
        email=f"{username}@example.org",
        password="ein-langes-passwort-2026",
        by=None,
    )


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user)
    return client


def _issue(client: Client, **data) -> str:
    response = client.post(
        PAGE, {"name": "Buchhaltung", "scopes": ["einvoice:submit"], "valid_days": "90", **data}
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    match = re.search(r'id="new-key" type="text" readonly value="([^"]+)"', response.content.decode())
    assert match, "the new key is shown"
    return match.group(1)


def test_an_organisation_issues_a_key_sees_it_once_and_uses_it_with_the_api():
    user = _organisation_user()
    client = _client(user)
    assert "Noch kein API-Schlüssel" in client.get(PAGE).content.decode()

    plaintext = _issue(client)

    token = ApiToken.objects.get()
    assert (token.organisation, token.owner, token.scopes) == (user.organisation, user, ["einvoice:submit"])
    assert token.key_hash != plaintext and plaintext not in str(token.__dict__)
    page = client.get(PAGE).content.decode()
    assert plaintext not in page  # never shown again
    # words on screen, no codes (the code is only the checkbox's form value)
    assert '<td class="kern-table__cell">E-Rechnungen einreichen</td>' in page
    assert ">einvoice:submit" not in page
    api = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.status_code == 200
    assert AuditEntry.objects.filter(action="accounts.api_token_issued").count() == 1


def test_a_revoked_key_no_longer_opens_the_api():
    user = _organisation_user()
    client = _client(user)
    plaintext = _issue(client)
    token = ApiToken.objects.get()
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    assert "ist widerrufen" in client.get(PAGE).content.decode()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.api_token_revoked").count() == 1


def test_another_organisations_key_is_not_found_and_stays_valid():
    owner = _organisation_user()
    _issue(_client(owner), name="Geheimprojekt")
    token = ApiToken.objects.get()
    intruder = _organisation_user(name="Andere AG", username="andere")
    response = _client(intruder).post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Geheimprojekt" not in _client(intruder).get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scopes": ["payments:write"]}, "Diese Berechtigung kann hier nicht vergeben werden."),
        ({"scopes": []}, "Bitte wählen Sie mindestens eine Berechtigung."),
        ({"valid_days": "3650"}, "Bitte wählen Sie eine der angebotenen Gültigkeiten."),
        ({"name": "   "}, "Dieses Feld ist zwingend erforderlich."),
    ],
)
def test_a_tampered_or_incomplete_form_issues_nothing(data, message):
    client = _client(_organisation_user())
    response = client.post(
        PAGE, {"name": "Buchhaltung", "scopes": ["einvoice:submit"], "valid_days": "90", **data}
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_at_most_ten_usable_keys_per_organisation():
    client = _client(_organisation_user())
    for number in range(services.ORGANISATION_TOKEN_LIMIT):
        _issue(client, name=f"Schlüssel {number}")
    response = client.post(PAGE, {"name": "Elf", "scopes": ["einvoice:submit"], "valid_days": "30"})
    assert response.status_code == 422
    assert "schon 10 gültige API-Schlüssel" in response.content.decode()
    assert ApiToken.objects.count() == services.ORGANISATION_TOKEN_LIMIT


@pytest.mark.parametrize("kind", [User.Kind.CITIZEN, User.Kind.STAFF])
def test_citizens_and_staff_have_no_key_page(kind):
    user = User.objects.create_user(username=f"u-{kind}", kind=kind)
    # citizens are sent to their own login (eID), staff refused; neither sees the page
    assert _client(user).get(PAGE).status_code in (302, 403)
    data = {"name": "x", "scopes": ["einvoice:submit"], "valid_days": "30"}
    assert _client(user).post(PAGE, data).status_code in (302, 403)
    assert not ApiToken.objects.exists()


def test_the_page_needs_a_login():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/anmelden/" in response["Location"]
