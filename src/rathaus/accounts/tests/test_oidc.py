"""Citizen login with OpenID Connect against the built-in demo IdP, end to end and in-process."""

import base64
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from jwcrypto import jwk, jwt

from rathaus.accounts import oidc
from rathaus.accounts.models import EidasLevel, LoginEvent, OidcIdentity, User
from rathaus.accounts.selectors import EIDAS_SESSION_KEY
from rathaus.accounts.views import OIDC_SESSION_KEY

from .factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("idp_in_process")]


def _start(client) -> str:
    response = client.get(reverse("accounts:oidc-start"))
    assert response.status_code == 302, response.content
    return response["Location"]


def _authorize_at_idp(client, authorize_url: str, person, acr=EidasLevel.HIGH) -> str:
    response = client.post(authorize_url, {"register_number": person.register_number, "acr": acr})
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_citizen_logs_in_through_demo_idp_and_account_is_linked_with_eidas_level(client):
    """authorize → IdP login page → code → token exchange → verified ID token → account → session."""
    # given
    person = make_person(family_name="Oltmanns", given_names="Frauke")
    authorize_url = _start(client)
    assert authorize_url.startswith("http://testserver/demo-idp/authorize/?")
    params = _query(authorize_url)
    assert params["code_challenge_method"] == "S256" and params["state"] and params["nonce"]
    page = client.get(authorize_url + "&suche=Oltmanns")
    assert page.status_code == 200
    assert person.register_number in page.content.decode()
    # when
    callback = _authorize_at_idp(client, authorize_url, person, acr=EidasLevel.HIGH)
    key_before = client.session.session_key
    response = client.get(callback)
    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:account")
    user = User.objects.get(person=person)
    assert user.kind == User.Kind.CITIZEN
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.session.session_key != key_before
    assert client.session[EIDAS_SESSION_KEY] == EidasLevel.HIGH
    event = LoginEvent.objects.get(user=user)
    assert (event.method, event.eidas_level) == (LoginEvent.Method.OIDC, EidasLevel.HIGH)
    identity = OidcIdentity.objects.get(user=user)
    assert identity.issuer == "http://testserver/demo-idp"
    assert person.register_number not in identity.subject  # pairwise pseudonym, not the register number


def test_second_login_reuses_account_and_records_the_new_level(client):
    """The iss/sub pair finds the same account; each login records its own level."""
    person = make_person()
    for level in (EidasLevel.SUBSTANTIAL, EidasLevel.HIGH):
        callback = _authorize_at_idp(client, _start(client), person, acr=level)
        assert client.get(callback).status_code == 302
        assert client.session[EIDAS_SESSION_KEY] == level
    assert User.objects.filter(person=person).count() == 1
    assert list(LoginEvent.objects.order_by("at").values_list("eidas_level", flat=True)) == [
        EidasLevel.SUBSTANTIAL,
        EidasLevel.HIGH,
    ]


def test_callback_with_wrong_state_is_refused(client):
    """A callback whose state is not the one in the session logs nobody in (CSRF, Core § 3.1.2.7)."""
    person = make_person()
    callback = _authorize_at_idp(client, _start(client), person)
    params = _query(callback)
    params["state"] = "forged-" + params["state"]
    response = client.get(reverse("accounts:oidc-callback"), params)
    assert response.status_code == 400
    assert "konnte nicht zugeordnet werden" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not LoginEvent.objects.exists()


def test_callback_without_a_started_login_is_refused(client):
    response = client.get(reverse("accounts:oidc-callback"), {"code": "x", "state": "y"})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_replayed_code_is_refused_by_the_provider(client):
    """An authorization code works once (RFC 6749 § 4.1.2); the second exchange is refused."""
    person = make_person()
    first_callback = _authorize_at_idp(client, _start(client), person)
    assert client.get(first_callback).status_code == 302
    client.post(reverse("accounts:logout"))
    # A new login puts a new state into the session; the attacker replays the old code with it.
    new_state = _query(_start(client))["state"]
    replay = _query(first_callback) | {"state": new_state}
    response = client.get(reverse("accounts:oidc-callback"), replay)
    assert response.status_code == 400
    assert "Anmeldecode wurde nicht angenommen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_idp_answers_denied_login_with_error_and_rp_shows_it(client):
    _start(client)
    state = client.session[OIDC_SESSION_KEY]["state"]
    response = client.get(reverse("accounts:oidc-callback"), {"error": "access_denied", "state": state})
    assert response.status_code == 400
    assert "abgebrochen" in response.content.decode()


def _tokens_for(client, person) -> tuple[dict, oidc.PendingLogin, oidc.Provider]:
    callback = _authorize_at_idp(client, _start(client), person)
    pending = oidc.PendingLogin.from_session(client.session[OIDC_SESSION_KEY])
    provider = oidc.discover(pending.issuer)
    tokens = oidc.exchange_code(
        provider,
        code=_query(callback)["code"],
        pending=pending,
        client_id="rathaus-portal",
        secret=oidc.client_secret(),
    )
    return tokens, pending, provider


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_genuine_id_token_verifies(client):
    person = make_person()
    tokens, pending, provider = _tokens_for(client, person)
    claims = oidc.verify_id_token(
        provider, tokens["id_token"], client_id="rathaus-portal", nonce=pending.nonce
    )
    assert claims["register_number"] == person.register_number
    assert claims["birthdate"] == person.date_of_birth.isoformat()
    assert claims["acr"] == EidasLevel.HIGH


def test_tampered_id_token_is_refused(client):
    """Changing a claim breaks the RS256 signature."""
    person = make_person()
    other = make_person(family_name="Eindringling")
    tokens, pending, provider = _tokens_for(client, person)
    header, payload, signature = tokens["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["register_number"] = other.register_number
    forged = ".".join([header, _b64(claims), signature])
    with pytest.raises(oidc.OidcError) as error:
        oidc.verify_id_token(provider, forged, client_id="rathaus-portal", nonce=pending.nonce)
    assert error.value.code == "id_token_invalid"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"alg": "HS256"}, "id_token_invalid"),  # algorithm confusion
        ({"key": "foreign"}, "id_token_invalid"),  # signed by someone else
        ({"nonce": "other"}, "nonce_mismatch"),
        ({"aud": "someone-else"}, "id_token_invalid"),
        ({"iss": "http://evil.example"}, "id_token_invalid"),
    ],
)
def test_id_tokens_with_wrong_key_alg_or_claims_are_refused(client, change, code):
    person = make_person()
    tokens, pending, provider = _tokens_for(client, person)
    genuine = jwt.JWT(jwt=tokens["id_token"], key=oidc._jwks(provider, refresh=False), algs=["RS256"])
    claims = json.loads(genuine.claims)
    header = json.loads(genuine.header)
    nonce = pending.nonce
    if "nonce" in change:
        nonce = change["nonce"]
    for name in ("aud", "iss"):
        if name in change:
            claims[name] = change[name]
    if change.get("alg") == "HS256":
        key = jwk.JWK.generate(kty="oct", size=256)
        header = {"alg": "HS256", "kid": header["kid"]}
    elif change.get("key") == "foreign":
        key = jwk.JWK.generate(kty="RSA", size=2048)
        header = {"alg": "RS256", "kid": header["kid"]}
    else:
        key = None
    if key is None:
        # Re-sign honestly is impossible without the IdP key: use the IdP's own key from settings.
        from oauth2_provider.settings import oauth2_settings

        key = jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode())
    token = jwt.JWT(header=header, claims=claims)
    token.make_signed_token(key)
    with pytest.raises(oidc.OidcError) as error:
        oidc.verify_id_token(provider, token.serialize(), client_id="rathaus-portal", nonce=nonce)
    assert error.value.code == code


def test_identity_without_register_match_is_not_logged_in(client):
    """A verified identity that matches no register person gets a clear refusal, no account."""
    person = make_person()
    callback = _authorize_at_idp(client, _start(client), person)
    # The person moved away and was removed from the register between IdP login and callback.
    User.objects.filter(person=person).update(person=None)
    type(person).objects.filter(pk=person.pk).delete()
    response = client.get(callback)
    assert response.status_code == 403
    assert "Melderegister" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_idp_login_page_requires_a_choice(client):
    authorize_url = _start(client)
    response = client.post(authorize_url, {"register_number": "", "acr": "nonsense"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bitte wählen Sie eine Person aus." in body
    assert "Bitte wählen Sie ein Vertrauensniveau." in body


def test_idp_refuses_authorization_request_without_pkce(client):
    """RFC 9700 § 2.1.1: the demo IdP requires PKCE."""
    params = _query(_start(client))
    del params["code_challenge"], params["code_challenge_method"]
    response = client.get("/demo-idp/authorize/", params)
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]


def test_discovery_document_advertises_code_flow_and_rs256(client):
    data = client.get("/demo-idp/.well-known/openid-configuration").json()
    assert data["issuer"] == "http://testserver/demo-idp"
    assert data["response_types_supported"] == ["code"]
    assert "RS256" in data["id_token_signing_alg_values_supported"]
    assert data["code_challenge_methods_supported"] == ["S256"]
