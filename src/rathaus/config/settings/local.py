"""Development on one machine: ``make run``. Works with no configuration at all.

The demo runs with ``DEBUG=False`` like a real installation, so that anyone who opens it sees
the city's own error pages and never Django's debug pages with the URL list and settings
(docs/decisions/0006-demo-without-debug.md). Tracebacks of server errors are still written
to the terminal; ``DEBUG=true make run`` shows Django's debug pages while developing.
"""

import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=False)


def _local_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts; never used in production."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()

# Where the demo is served: `make run` sets it from HOST and PORT (links in e-mails and output).
RATHAUS_BASE_URL = env.str("RATHAUS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
RATHAUS_DEMO_STAFF_LOGINS = env.bool("RATHAUS_DEMO_STAFF_LOGINS", default=True)

# Static files come straight from the source folders (no collectstatic) and follow edits,
# with or without DEBUG.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "static"  # WhiteNoise warns when it is missing
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# The demo IdP runs on http://127.0.0.1:8000 (or HOST:PORT) during development.
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"]}  # noqa: F405
