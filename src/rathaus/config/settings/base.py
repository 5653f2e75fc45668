"""Settings shared by every environment. Everything that differs between machines is read
from the environment (12-factor); see docs/operations.md for the full list."""

from pathlib import Path

import environ

SRC_DIR = Path(__file__).resolve().parents[2]  # src/rathaus
PROJECT_DIR = SRC_DIR.parents[1]

env = environ.Env()

# Where the embedded database, blobs and other state live by default (``var/`` in the checkout).
VAR_DIR = Path(env.str("RATHAUS_VAR_DIR", default=str(PROJECT_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "csp",
    # Only for its templates and static files: /api/v1/docs then serves Swagger UI from this
    # site instead of a CDN, which the Content-Security-Policy would block.
    "ninja",
    "rathaus.kernel",
    "rathaus.registers",
    "rathaus.directory",
    "rathaus.accounts",
    "rathaus.portal",
    "rathaus.efile",
    "rathaus.efile.archive",
    "rathaus.einvoice",
    "rathaus.payments",
    "rathaus.cadastre",
    "rathaus.eforms",
    "rathaus.appointments",
    "rathaus.taxoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "rathaus.api.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rathaus.kernel.middleware.PrivatePagesNotStoredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rathaus.kernel.middleware.IdleSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "rathaus.config.urls"
WSGI_APPLICATION = "rathaus.config.wsgi.application"
ASGI_APPLICATION = "rathaus.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            "builtins": ["rathaus.kernel.templatetags.rathaus_format"],
        },
    }
]


def _database_from_env() -> dict[str, object]:
    """DATABASE_URL if given, else the embedded SQLite database in VAR_DIR.

    SQLite runs in WAL mode with ``BEGIN IMMEDIATE`` transactions so that concurrent writers
    queue on the busy timeout instead of failing with "database is locked" on lock upgrade.
    """
    url = env.str("DATABASE_URL", default="")
    db = (
        env.db_url_config(url)
        if url
        else {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "rathaus.sqlite3"),
        }
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                ),
            }
        )
    else:
        db.setdefault("CONN_HEALTH_CHECKS", True)
    # Persistent connections on both: a new SQLite connection reads the whole schema again
    # (about 2 ms per request here) and starts with an empty page cache (decision 0016).
    db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    db.setdefault("ATOMIC_REQUESTS", False)
    return db


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rathaus.accounts.backends.PasswordBackend",  # staff and organisations (+ TOTP)
    "rathaus.accounts.backends.OidcBackend",  # citizens, after a verified OpenID Connect login
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:account"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# --- Internationalisation: German first, English second ---------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "rathaus_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"
# English dates as people in Germany read them (16/05/1994), not the US default.
FORMAT_MODULE_PATH = ["rathaus.portal.formats"]

# --- Static files and stored files (blobs) ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [SRC_DIR / "static"]
BLOB_STORAGE_ALIAS = "blobs"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "media")},
    },
    "blobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "blobs")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env.str("BLOB_S3_BUCKET", default=""):
    # S3-compatible object storage (MinIO, Ceph, AWS) for blobs in production.
    STORAGES["blobs"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("BLOB_S3_BUCKET"),
            "endpoint_url": env.str("BLOB_S3_ENDPOINT_URL", default=None),
            "access_key": env.str("BLOB_S3_ACCESS_KEY", default=None),
            "secret_key": env.str("BLOB_S3_SECRET_KEY", default=None),
            "region_name": env.str("BLOB_S3_REGION", default=None),
            "file_overwrite": False,
            "default_acl": None,
        },
    }
# Largest upload accepted by kernel.blobs (bytes); larger ones are refused before storing.
BLOB_MAX_UPLOAD_BYTES = env.int("BLOB_MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
# ClamAV daemon every new file is scanned by before it is stored (kernel.malware):
# unix:/run/clamav/clamd.ctl or tcp://host:3310; empty = no scan (production requires it).
RATHAUS_CLAMD = env.str("RATHAUS_CLAMD", default="")
RATHAUS_CLAMD_TIMEOUT = env.int("RATHAUS_CLAMD_TIMEOUT", default=60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Cache (throttling counters live here; Redis in production) -------------------------
# "fragments": parts of public pages without personal data, kept in each process and keyed by a
# version stamp in "default" that is renewed when the data changes (rathaus.kernel.fragments).
# With DEBUG nothing is kept, so edited templates show at once.
FRAGMENTS_CACHE = (
    {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    if DEBUG
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "rathaus-fragments",
        "OPTIONS": {"MAX_ENTRIES": 5000},  # languages × pages × a few fragments
    }
)
CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://rathaus")
    if env.str("CACHE_URL", default="")
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rathaus_cache"},
    "fragments": FRAGMENTS_CACHE,
}

# Answers of the citizens' search kept in each process until the index changes
# (rathaus.kernel.search.cache, decision 0016); 0 turns that cache off.
SEARCH_RESULTS_CACHE_SIZE = env.int("SEARCH_RESULTS_CACHE_SIZE", default=256)

# --- Background tasks (Django Tasks API, database backend) ------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- E-mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rathaus <noreply@rathaus.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security headers (tightened further in production.py) ------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
# Logged out after this long without a request (kernel.middleware.IdleSessionTimeoutMiddleware).
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Citizen login: OpenID Connect ------------------------------------------------------
# With no OIDC_OP_ISSUER set, the built-in demo identity provider (a real OIDC provider
# at /demo-idp/) is used; in production point these at BundID, Keycloak or any OIDC IdP.
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="rathaus-portal")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile")
DEMO_IDP_ENABLED = env.bool("DEMO_IDP_ENABLED", default=not OIDC_OP_ISSUER)
# The claim that carries the residents' register number (the demo IdP sends it; BundID does not).
OIDC_RP_REGISTER_NUMBER_CLAIM = env.str("OIDC_RP_REGISTER_NUMBER_CLAIM", default="register_number")


def _oidc_provider_signing_key() -> str:
    """RS256 key of the built-in demo IdP: OIDC_RSA_PRIVATE_KEY, else one kept in VAR_DIR."""
    from rathaus.accounts.signing_key import load_or_create_pem

    pem = env.str("OIDC_RSA_PRIVATE_KEY", default="", multiline=True)
    if pem or not DEMO_IDP_ENABLED:
        return pem
    return load_or_create_pem(VAR_DIR / "demo_idp_key.pem")


# Named explicitly because accounts.DemoIdpGrant references the (swappable) grant model.
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
# django-oauth-toolkit serves the demo IdP. Every RFC 9700 (OAuth 2.0 Security BCP) gate is
# on; only https redirect URIs are allowed unless a settings module for development adds http.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _oidc_provider_signing_key(),
    "OAUTH2_VALIDATOR_CLASS": "rathaus.accounts.demo_idp.validators.DemoIdpValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Name, Geburtsdatum und Melderegisternummer"},
    "DEFAULT_SCOPES": ["openid"],
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "rathaus.kernel.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# The address people reach this installation at, e.g. "https://service.bremen.de": every absolute
# link (e-mails, postbox messages, the payment service's way back, the demo's output) goes there,
# whatever channel made it (rathaus.kernel.urls). Required in production; unset elsewhere, links
# go to the request's own address or to http://127.0.0.1:8000.
RATHAUS_BASE_URL = env.str("RATHAUS_BASE_URL", default="").rstrip("/")

# --- API: requests per minute and token; more get 429 with Retry-After (rathaus.api.auth) ----
RATHAUS_API_RATE_PER_MINUTE = env.int("RATHAUS_API_RATE_PER_MINUTE", default=600)

RATHAUS_DEMO_RESIDENTS = env.int("RATHAUS_DEMO_RESIDENTS", default=2000)
# Whether `rathaus demo` creates the demo staff logins (known password and TOTP key) by default.
RATHAUS_DEMO_STAFF_LOGINS = env.bool("RATHAUS_DEMO_STAFF_LOGINS", default=False)
# Demo data of the parts, loaded by `rathaus demo` after the city (rathaus.kernel.demo).
RATHAUS_DEMO_PARTS = [
    "rathaus.directory.demo.load_demo",
    "rathaus.efile.demo.load_demo",
    "rathaus.einvoice.demo.load_demo",
    "rathaus.einvoice.intake_demo.load_demo",
    "rathaus.efile.archive.demo.load_demo",
    "rathaus.payments.demo.load_demo",
    "rathaus.cadastre.demo.load_demo",
    "rathaus.appointments.demo.load_demo",
    "rathaus.registers.demo.exchange.load_demo",
    "rathaus.taxoffice.demo.load_demo",
]

# --- Audit log (docs/decisions/0011): the key of the hash chain lives outside the database --
# Production requires AUDIT_CHAIN_KEY; elsewhere it is derived from SECRET_KEY. Old keys stay
# listed in AUDIT_CHAIN_OLD_KEYS (comma-separated) after a rotation, so older entries verify.
AUDIT_CHAIN_KEY = env.str("AUDIT_CHAIN_KEY", default="")
AUDIT_CHAIN_OLD_KEYS = env.list("AUDIT_CHAIN_OLD_KEYS", default=[])

# --- Encryption at rest of stored files (kernel.blob_crypto, docs/operations.md) ----------
# Production requires BLOB_ENCRYPTION_KEY; elsewhere it is derived from SECRET_KEY. After a
# rotation the old keys stay in BLOB_ENCRYPTION_OLD_KEYS until `rathaus blobs rekey` has run.
BLOB_ENCRYPTION_KEY = env.str("BLOB_ENCRYPTION_KEY", default="")
BLOB_ENCRYPTION_OLD_KEYS = env.list("BLOB_ENCRYPTION_OLD_KEYS", default=[])

# --- Who runs this installation (imprint, contact, accessibility feedback) -------------
RATHAUS_OPERATOR_NAME = env.str("RATHAUS_OPERATOR_NAME", default="")
RATHAUS_OPERATOR_ADDRESS = env.str("RATHAUS_OPERATOR_ADDRESS", default="")
RATHAUS_OPERATOR_EMAIL = env.str("RATHAUS_OPERATOR_EMAIL", default="")
RATHAUS_OPERATOR_PHONE = env.str("RATHAUS_OPERATOR_PHONE", default="")
RATHAUS_OPERATOR_REPRESENTATIVE = env.str("RATHAUS_OPERATOR_REPRESENTATIVE", default="")
RATHAUS_ACCESSIBILITY_EMAIL = env.str("RATHAUS_ACCESSIBILITY_EMAIL", default="")

# --- E-Payment (docs/payments.md): cash office account, payment service, notification secret ---
RATHAUS_PAYMENTS_PAYEE = env.str("RATHAUS_PAYMENTS_PAYEE", default="Landeshauptkasse Bremen")
RATHAUS_PAYMENTS_IBAN = env.str("RATHAUS_PAYMENTS_IBAN", default="DE89370400440532013000")
RATHAUS_PAYMENTS_BIC = env.str("RATHAUS_PAYMENTS_BIC", default="")
RATHAUS_PAYMENT_PROVIDER = env.str(
    "RATHAUS_PAYMENT_PROVIDER", default="rathaus.payments.providers.SandboxProvider"
)
RATHAUS_PAYMENTS_NOTIFY_SECRET = env.str("RATHAUS_PAYMENTS_NOTIFY_SECRET", default="")
# The real payment service (XBezahldienste adapter): its base URL, Rathaus's originator and
# endpoint ids there, and the bearer token it issued. The sandbox's token: derived if unset.
RATHAUS_XBEZAHLDIENSTE_URL = env.str("RATHAUS_XBEZAHLDIENSTE_URL", default="")
RATHAUS_XBEZAHLDIENSTE_ORIGINATOR = env.str("RATHAUS_XBEZAHLDIENSTE_ORIGINATOR", default="")
RATHAUS_XBEZAHLDIENSTE_ENDPOINT = env.str("RATHAUS_XBEZAHLDIENSTE_ENDPOINT", default="")
RATHAUS_XBEZAHLDIENSTE_TOKEN = env.str("RATHAUS_XBEZAHLDIENSTE_TOKEN", default="")
RATHAUS_SANDBOX_TOKEN = env.str("RATHAUS_SANDBOX_TOKEN", default="")

# --- E-Akte: xdomea 3.1.0 schema (entry point xdomea.xsd) for Aussonderung and Abgabe -------
XDOMEA_SCHEMA_DIR = Path(
    env.str("XDOMEA_SCHEMA_DIR", default=str(PROJECT_DIR.parent / "shared/standards/xdomea-3.1.0/3.1.0"))
)

# --- E-Rechnung: the official KoSIT XRechnung rule set (scenarios.xml, XSD, Schematron XSLT) --
# ``rathaus einvoice rules install`` puts the verified rule set into EINVOICE_RULES_DIR; once it is
# there it is the active one, else the development copy in ../shared/einvoice is used.
EINVOICE_RULES_DIR = Path(env.str("EINVOICE_RULES_DIR", default=str(VAR_DIR / "einvoice")))
EINVOICE_STANDARDS_DIR = Path(
    env.str(
        "EINVOICE_STANDARDS_DIR",
        default=str(
            EINVOICE_RULES_DIR
            if (EINVOICE_RULES_DIR / "kosit-validator-configuration" / "scenarios.xml").is_file()
            else PROJECT_DIR.parent / "shared" / "einvoice"
        ),
    )
)
