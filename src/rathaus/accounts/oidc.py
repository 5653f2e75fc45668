"""OpenID Connect relying party for the citizen login.

Implements the authorization code flow of OpenID Connect Core 1.0 (§ 3.1) against any
standard provider found by discovery (OpenID Connect Discovery 1.0 § 4): BundID (through
its OIDC interface or a Keycloak broker), Keycloak, or the built-in demo IdP.

* PKCE with S256 (RFC 7636), ``state`` against CSRF and ``nonce`` against replay (Core § 3.1.2.1);
* the RFC 9207 ``iss`` authorization-response parameter is checked when the provider sends it;
* the ID token is verified as Core § 3.1.3.7 requires: RS256 signature with a key from the
  provider's JWKS, ``iss``, ``aud``/``azp``, ``exp``, ``iat`` and ``nonce``;
* the ``acr`` claim gives the eIDAS level of assurance (Art. 8 Regulation (EU) 910/2014).

The provider is called server-to-server with ``requests``. Transport adapters can be mounted
per URL prefix with the setting ``OIDC_RP_HTTP_ADAPTERS`` (``{"http://testserver/": "dotted.Adapter"}``);
the tests use that to reach the demo IdP in-process.
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException

from .models import EidasLevel

HTTP_TIMEOUT_SECONDS = 10
METADATA_CACHE_SECONDS = 60 * 60
CLOCK_LEEWAY_SECONDS = 60  # the same as jwcrypto's default leeway for exp


class OidcError(Exception):
    """The login cannot go on; ``message`` is German and safe to show, ``code`` names the cause."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True)
class PendingLogin:
    """What the relying party keeps in the session between the redirect and the callback."""

    issuer: str
    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str

    def to_session(self) -> dict[str, str]:
        return self.__dict__.copy()

    @classmethod
    def from_session(cls, data: Any) -> "PendingLogin | None":
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None


def _http() -> requests.Session:
    session = requests.Session()
    for prefix, adapter in getattr(settings, "OIDC_RP_HTTP_ADAPTERS", {}).items():
        session.mount(prefix, import_string(adapter)())
    return session


def uses_demo_idp() -> bool:
    return not settings.OIDC_OP_ISSUER and settings.DEMO_IDP_ENABLED


def issuer_for(request: HttpRequest) -> str:
    """The configured issuer; for the demo IdP, its URL on the host the browser used."""
    if settings.OIDC_OP_ISSUER:
        return settings.OIDC_OP_ISSUER.rstrip("/")
    if settings.DEMO_IDP_ENABLED:
        from oauth2_provider.settings import oauth2_settings

        return oauth2_settings.oidc_issuer(request)
    raise OidcError(_("Die Anmeldung mit dem Bürgerkonto ist nicht eingerichtet."), "not_configured")


def client_secret() -> str:
    """The configured client secret; for the demo IdP one derived from SECRET_KEY."""
    if settings.OIDC_RP_CLIENT_SECRET:
        return settings.OIDC_RP_CLIENT_SECRET
    if uses_demo_idp():
        return hmac.new(settings.SECRET_KEY.encode(), b"rathaus demo-idp client secret", "sha256").hexdigest()
    raise OidcError(_("Die Anmeldung mit dem Bürgerkonto ist nicht eingerichtet."), "not_configured")


def _get_json(url: str) -> dict[str, Any]:
    try:
        response = _http().get(url, timeout=HTTP_TIMEOUT_SECONDS, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise OidcError(
            _("Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut."),
            "provider_unreachable",
        ) from exc
    if not isinstance(data, dict):
        raise OidcError(_("Der Anmeldedienst hat eine ungültige Antwort gesendet."), "provider_invalid")
    return data


def _cache_key(kind: str, value: str) -> str:
    return f"oidc:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def discover(issuer: str) -> Provider:
    """The provider's endpoints from ``{issuer}/.well-known/openid-configuration``, cached for an hour."""
    key = _cache_key("discovery", issuer)
    data = cache.get(key)
    if data is None:
        data = _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        # Discovery § 4.3: the issuer in the document must be exactly the one asked for.
        if data.get("issuer") != issuer:
            raise OidcError(_("Der Anmeldedienst hat eine ungültige Antwort gesendet."), "issuer_mismatch")
        cache.set(key, data, METADATA_CACHE_SECONDS)
    try:
        return Provider(
            issuer=data["issuer"],
            authorization_endpoint=data["authorization_endpoint"],
            token_endpoint=data["token_endpoint"],
            jwks_uri=data["jwks_uri"],
        )
    except KeyError as exc:
        raise OidcError(
            _("Der Anmeldedienst hat eine ungültige Antwort gesendet."), "provider_invalid"
        ) from exc


def _jwks(provider: Provider, *, refresh: bool) -> jwk.JWKSet:
    key = _cache_key("jwks", provider.jwks_uri)
    text = None if refresh else cache.get(key)
    if text is None:
        text = json.dumps(_get_json(provider.jwks_uri))
        cache.set(key, text, METADATA_CACHE_SECONDS)
    try:
        return jwk.JWKSet.from_json(text)
    except (JWException, ValueError) as exc:
        raise OidcError(_("Der Anmeldedienst hat eine ungültige Antwort gesendet."), "jwks_invalid") from exc


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def begin(
    provider: Provider,
    *,
    client_id: str,
    redirect_uri: str,
    scopes: str,
    next_url: str,
    acr_values: str = "",
) -> tuple[str, PendingLogin]:
    """The URL to send the browser to, and what to keep in the session until it comes back.
    ``acr_values``: the level of assurance the service needs (Core § 3.1.2.1), a step-up; the
    provider may still answer with another level, which the caller checks in the ``acr`` claim."""
    pending = PendingLogin(
        issuer=provider.issuer,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        redirect_uri=redirect_uri,
        next_url=next_url,
    )
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scopes,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": _b64url(hashlib.sha256(pending.code_verifier.encode("ascii")).digest()),
        "code_challenge_method": "S256",
    }
    if acr_values:
        params["acr_values"] = acr_values
    separator = "&" if "?" in provider.authorization_endpoint else "?"
    return provider.authorization_endpoint + separator + urlencode(params), pending


def check_callback(pending: PendingLogin | None, params: dict[str, str]) -> str:
    """Check the authorization response (Core § 3.1.2.5–3.1.2.7) and return the code."""
    if pending is None:
        raise OidcError(
            _(
                "Die Anmeldung ist abgelaufen oder wurde in einem anderen Fenster begonnen. "
                "Bitte melden Sie sich erneut an."
            ),
            "no_pending_login",
        )
    state = params.get("state", "")
    if not state or not hmac.compare_digest(state, pending.state):
        raise OidcError(
            _("Die Anmeldung konnte nicht zugeordnet werden. Bitte melden Sie sich erneut an."), "bad_state"
        )
    # RFC 9207 § 2.4: if the provider says who it is, it must be the one the request went to.
    if "iss" in params and params["iss"] != pending.issuer:
        raise OidcError(_("Die Antwort kam von einem anderen Anmeldedienst."), "issuer_mismatch")
    if params.get("error"):
        if params["error"] == "access_denied":
            raise OidcError(_("Die Anmeldung wurde abgebrochen."), "access_denied")
        raise OidcError(_("Der Anmeldedienst hat die Anmeldung abgelehnt."), "provider_error")
    code = params.get("code", "")
    if not code:
        raise OidcError(_("Der Anmeldedienst hat keinen Anmeldecode gesendet."), "no_code")
    return code


def exchange_code(
    provider: Provider, *, code: str, pending: PendingLogin, client_id: str, secret: str
) -> dict[str, Any]:
    """Redeem the code at the token endpoint (Core § 3.1.3.1), authenticating with client_secret_basic."""
    # RFC 6749 § 2.3.1: client id and secret are form-encoded before Basic encoding.
    credentials = f"{requests.utils.quote(client_id, safe='')}:{requests.utils.quote(secret, safe='')}"
    try:
        response = _http().post(
            provider.token_endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending.redirect_uri,
                "code_verifier": pending.code_verifier,
            },
            headers={
                "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode("ascii"),
                "Accept": "application/json",
            },
            timeout=HTTP_TIMEOUT_SECONDS,
        )
    except requests.RequestException as exc:
        raise OidcError(
            _("Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut."),
            "provider_unreachable",
        ) from exc
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code != 200 or not isinstance(data, dict) or "id_token" not in data:
        raise OidcError(
            _("Der Anmeldecode wurde nicht angenommen. Bitte melden Sie sich erneut an."), "token_refused"
        )
    return data


def verify_id_token(provider: Provider, id_token: str, *, client_id: str, nonce: str) -> dict[str, Any]:
    """Verify the ID token as OpenID Connect Core 1.0 § 3.1.3.7 requires and return its claims."""
    check = {"iss": provider.issuer, "aud": client_id, "exp": None, "iat": None, "sub": None}
    claims_text = None
    for refresh in (False, True):  # a signature from an unknown key: fetch the JWKS once more (rotation)
        try:
            token = jwt.JWT(
                jwt=id_token,
                key=_jwks(provider, refresh=refresh),
                algs=["RS256"],
                check_claims=check,
                expected_type="JWS",
            )
            claims_text = token.claims
            break
        except (jwt.JWTMissingKey, jwt.JWTMissingKeyID):
            continue
        except (JWException, ValueError, TypeError) as exc:
            raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "id_token_invalid") from exc
    if claims_text is None:
        raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "id_token_invalid")
    claims: dict[str, Any] = json.loads(claims_text)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "azp_mismatch")
    if not isinstance(claims.get("iat"), int | float) or claims["iat"] > time.time() + CLOCK_LEEWAY_SECONDS:
        raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "iat_invalid")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "nonce_mismatch")
    if not isinstance(claims["sub"], str) or not claims["sub"]:
        raise OidcError(_("Die Anmeldebestätigung ist ungültig."), "sub_invalid")
    return claims


def eidas_level(claims: dict[str, Any]) -> str:
    """The eIDAS level from the ``acr`` claim, or "" if the provider sent none we know."""
    acr = claims.get("acr")
    return acr if acr in EidasLevel.values else ""
