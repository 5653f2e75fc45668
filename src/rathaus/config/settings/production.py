"""Production: every secret and host comes from the environment, and insecure settings
stop the process instead of starting it."""

from django.core.exceptions import ImproperlyConfigured

from rathaus.kernel.urls import is_production_site_address

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    DEMO_IDP_ENABLED,
    OIDC_OP_ISSUER,
    RATHAUS_BASE_URL,
    RATHAUS_CLAMD,
    RATHAUS_PAYMENT_PROVIDER,
    SECRET_KEY,
    env,
)

DEBUG = False

if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be set to a random value of at least 50 characters.")
if env.bool("DEBUG", default=False):
    raise ImproperlyConfigured("DEBUG must not be on in production.")
if not env.list("ALLOWED_HOSTS", default=[]):
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names Rathaus is served under.")
if any("*" in host for host in env.list("ALLOWED_HOSTS", default=[])):
    # A wildcard lets any Host header through: password-reset and mail links could point elsewhere.
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host names exactly, without '*'.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool(
    "RATHAUS_ALLOW_SQLITE", default=False
):
    raise ImproperlyConfigured("Production runs on PostgreSQL: set DATABASE_URL=postgres://…")
if DEMO_IDP_ENABLED and not env.bool("RATHAUS_ALLOW_DEMO_IDP", default=False):
    # The demo IdP lets anyone log in as any resident: only for public demo installations.
    raise ImproperlyConfigured(
        "Set OIDC_OP_ISSUER (BundID, Keycloak …): the demo identity provider must not run in production."
    )

if OIDC_OP_ISSUER and not OIDC_OP_ISSUER.startswith("https://"):
    # Tokens and the identity of citizens would cross the network unencrypted.
    raise ImproperlyConfigured("OIDC_OP_ISSUER must be an https:// address in production.")
if RATHAUS_PAYMENT_PROVIDER.rsplit(".", 1)[-1] == "SandboxProvider" and not env.bool(
    "RATHAUS_ALLOW_SANDBOX_PAYMENTS", default=False
):
    # The sandbox books claims as paid without moving money: only for public demo installations.
    raise ImproperlyConfigured(
        "Set RATHAUS_PAYMENT_PROVIDER to the real payment service "
        "(rathaus.payments.providers.XBezahldiensteHttpProvider): "
        "the sandbox payment provider must not run in production."
    )

if RATHAUS_PAYMENT_PROVIDER.rsplit(".", 1)[-1] == "XBezahldiensteHttpProvider" and not (
    env.str("RATHAUS_XBEZAHLDIENSTE_URL", default="").startswith("https://")
    and env.str("RATHAUS_XBEZAHLDIENSTE_TOKEN", default="")
    and env.str("RATHAUS_XBEZAHLDIENSTE_ORIGINATOR", default="")
    and env.str("RATHAUS_XBEZAHLDIENSTE_ENDPOINT", default="")
):
    raise ImproperlyConfigured(
        "Set RATHAUS_XBEZAHLDIENSTE_URL (https://…), _ORIGINATOR, _ENDPOINT and _TOKEN "
        "for the payment service."
    )
if len(env.str("AUDIT_CHAIN_KEY", default="")) < 32:
    # Kept outside the database: whoever can write the database must not be able to re-chain it.
    raise ImproperlyConfigured("AUDIT_CHAIN_KEY must be set to a random value of at least 32 characters.")
if len(env.str("BLOB_ENCRYPTION_KEY", default="")) < 32:
    # Stored documents are encrypted at rest; the key lives outside the database and the storage.
    raise ImproperlyConfigured("BLOB_ENCRYPTION_KEY must be set to a random value of at least 32 characters.")
if not RATHAUS_CLAMD and not env.bool("RATHAUS_ALLOW_NO_MALWARE_SCAN", default=False):
    # Citizens' and suppliers' uploads are opened by staff: nothing unscanned may be stored.
    raise ImproperlyConfigured(
        "Set RATHAUS_CLAMD to the ClamAV daemon (unix:/run/clamav/clamd.ctl or tcp://host:3310): "
        "every upload is scanned for malware before it is stored."
    )
if not is_production_site_address(RATHAUS_BASE_URL):
    # Every link in e-mails, postbox messages and the payment service's way back is built on it
    # (rathaus.kernel.urls): without it they would lack their host or point elsewhere.
    raise ImproperlyConfigured(
        "RATHAUS_BASE_URL must be set to the https:// address people reach Rathaus at, without a path "
        "(e.g. https://service.bremen.example): links in e-mails are built on it."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=63072000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-rathaus-session"
CSRF_COOKIE_NAME = "__Host-rathaus-csrf"

# WhiteNoise's compressed manifest storage; collectstatic fails naming any static file a template
# refers to that it did not collect (rathaus.kernel.staticfiles).
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "rathaus.kernel.staticfiles.CheckedManifestStaticFilesStorage"
}
