"""Settings of the scale benchmark's nodes: the appointments benchmark's (limits lifted, bare view)
with the cache in Redis from ``CACHE_URL``, as several nodes share it (docs/operations.md);
``benchmarks.scale`` always sets it."""

from benchmarks.appointments_settings import *  # noqa: F403
from benchmarks.appointments_settings import CACHES
from rathaus.config.settings.base import env

if env.str("CACHE_URL", default=""):
    CACHES = {**CACHES, "default": env.cache_url("CACHE_URL")}
