"""Settings for the appointments benchmark: the benchmark settings (bare view at /bench/bare/) on
PostgreSQL, with the per-client and per-token limits lifted (every simulated client comes from
127.0.0.1 and books through one partner portal's token) and a per-process cache (production
uses Redis; the rush must measure the booking, not cache writes to the database)."""

from benchmarks.bench_settings import *  # noqa: F403

APPOINTMENTS_RESERVE_RATE = (1_000_000, 60)
APPOINTMENTS_LOOKUP_RATE = (1_000_000, 60)
RATHAUS_API_RATE_PER_MINUTE = 1_000_000
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"},
    "fragments": FRAGMENTS_CACHE,  # noqa: F405
}
