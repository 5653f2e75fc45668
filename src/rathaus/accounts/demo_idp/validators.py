"""The demo IdP's claims: a pairwise ``sub``, name, birth date, register number and ``acr``."""

import hmac
from typing import Any

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

from rathaus.accounts.models import DemoIdpGrant


def pairwise_subject(*, client_id: str, register_number: str) -> str:
    """A pairwise pseudonymous identifier (OpenID Connect Core 1.0 § 8.1): stable per client,
    different between clients, and not revealing the register number."""
    message = f"demo-idp sub|{client_id}|{register_number}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, "sha256").hexdigest()[:40]


class DemoIdpValidator(OAuth2Validator):
    # Which scope releases which claim; ``acr`` always goes into the ID token.
    oidc_claim_scope = {  # noqa: RUF012
        **OAuth2Validator.oidc_claim_scope,
        "acr": "openid",
        "register_number": "profile",
    }

    def _create_authorization_code(self, request: Any, code: Any, expires: Any = None) -> Any:
        from rathaus.accounts.services import demo_idp_grant_record

        grant = super()._create_authorization_code(request, code, expires)
        demo_idp_grant_record(grant=grant, acr=request.demo_acr)
        return grant

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        valid = super().validate_code(client_id, code, client, request, *args, **kwargs)
        if valid:
            request.demo_acr = (
                DemoIdpGrant.objects.filter(grant__code=code, grant__application=client)
                .values_list("acr", flat=True)
                .first()
            )
        return valid

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = getattr(request.user, "person", None)
        if person is None:
            return {}
        claims: dict[str, Any] = {
            "sub": pairwise_subject(
                client_id=request.client.client_id, register_number=person.register_number
            ),
            "given_name": person.given_names,
            "family_name": person.family_name,
            "name": f"{person.given_names} {person.family_name}",
            "birthdate": person.date_of_birth.isoformat(),
            "register_number": person.register_number,
        }
        if getattr(request, "demo_acr", None):
            claims["acr"] = request.demo_acr
        return claims
