"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL points to one."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import STORAGES

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests never ship
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"},
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-fragments"},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

_TMP = Path(tempfile.mkdtemp(prefix="rathaus-test-"))
STORAGES["blobs"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(_TMP / "blobs")},
}
STORAGES["default"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(_TMP / "media")},
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# The official XRechnung test suite lives in ../shared/einvoice; a rule set installed into var/ by
# ``rathaus einvoice rules install`` must not hide it, and tests install into a temporary directory.
EINVOICE_RULES_DIR = _TMP / "einvoice-rules"
EINVOICE_STANDARDS_DIR = Path(
    env.str("EINVOICE_STANDARDS_DIR", default=str(PROJECT_DIR.parent / "shared" / "einvoice"))  # noqa: F405
)

# The demo IdP's redirect URI in tests is http://testserver/….
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"]}  # noqa: F405

# WhiteNoise warns (an error under filterwarnings=error) when STATIC_ROOT is missing; tests
# serve static files from the finders, so an empty directory is enough.
STATIC_ROOT = _TMP / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
