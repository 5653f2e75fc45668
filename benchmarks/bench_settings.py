"""Settings for the portal benchmark: the local settings plus a bare view at /bench/bare/.

Only benchmarks use this module; the bare view exists nowhere else. Production-like in the
parts that matter for speed: DEBUG off, cached templates, no debug toolbar.
"""

from rathaus.config.settings.local import *  # noqa: F403
from rathaus.config.settings.local import VAR_DIR

DEBUG = False
ROOT_URLCONF = "benchmarks.bench_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = VAR_DIR / "static"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
