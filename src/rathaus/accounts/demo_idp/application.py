"""The demo IdP's registration of the portal as an OAuth client, made on first use."""

from django.contrib.auth.hashers import check_password
from django.db import transaction
from oauth2_provider.models import get_application_model


@transaction.atomic
def portal_client_ensure(*, client_id: str, client_secret: str, redirect_uri: str) -> None:
    """Register (or update) the portal as a confidential client that may use ``redirect_uri``.

    The redirect URI comes from the host the browser used, so the demo works under any host
    name in ALLOWED_HOSTS; each one is added to the exact-match list (RFC 9700 § 4.1.1).
    """
    Application = get_application_model()
    app = Application.objects.select_for_update().filter(client_id=client_id).first()
    if app is None:
        Application.objects.create(
            name="Rathaus-Portal (Demo)",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=redirect_uri,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
        return
    changed = []
    uris = app.redirect_uris.split()
    if redirect_uri not in uris:
        app.redirect_uris = " ".join([*uris, redirect_uri])
        changed.append("redirect_uris")
    # The secret is derived from SECRET_KEY; follow it when that key changes.
    if not check_password(client_secret, app.client_secret):
        app.client_secret = client_secret
        changed.append("client_secret")
    if changed:
        app.save()
