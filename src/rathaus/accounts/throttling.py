"""Progressive throttling of failed logins (no lockout).

After a few free attempts, each further failure doubles the wait before the next attempt is
looked at: 0, 0, 0, 2, 4, 8 … seconds, at most 15 minutes (BSI IT-Grundschutz ORP.4.A22 and
NIST SP 800-63B § 5.2.2 ask for rate limiting; a hard lockout would let anyone lock real users
out by guessing). Counters live in the cache, per username and per client address, so every
web process sees the same numbers. The address counter allows more free attempts because many
people can share one address (an office behind NAT).
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

MAX_WAIT_SECONDS = 15 * 60
FREE_ATTEMPTS_PER_USERNAME = 3
FREE_ATTEMPTS_PER_ADDRESS = 10
# Counters are forgotten a day after the last failure.
COUNTER_TTL_SECONDS = 24 * 60 * 60


def wait_seconds(failures: int, *, free_attempts: int) -> int:
    """Seconds to wait after ``failures`` failed attempts; 0 while within the free attempts."""
    if failures < free_attempts:
        return 0
    return min(2 ** (failures - free_attempts + 1), MAX_WAIT_SECONDS)


@dataclass(frozen=True)
class _Counter:
    key: str
    free_attempts: int


def _counters(*, username: str, address: str) -> list[_Counter]:
    # Hash the username so the cache never holds what someone typed into the login field.
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return [
        _Counter(f"login-throttle:user:{name}", FREE_ATTEMPTS_PER_USERNAME),
        _Counter(f"login-throttle:addr:{address}", FREE_ATTEMPTS_PER_ADDRESS),
    ]


def retry_after(*, username: str, address: str, now: float | None = None) -> int:
    """Seconds until the next attempt for this username from this address may be checked."""
    now = time.time() if now is None else now
    remaining = 0.0
    for counter in _counters(username=username, address=address):
        state = cache.get(counter.key)
        if not state:
            continue
        failures, last = state
        allowed_at = last + wait_seconds(failures, free_attempts=counter.free_attempts)
        remaining = max(remaining, allowed_at - now)
    return int(remaining + 0.999) if remaining > 0 else 0


def record_failure(*, username: str, address: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for counter in _counters(username=username, address=address):
        failures, _last = cache.get(counter.key) or (0, now)
        cache.set(counter.key, (failures + 1, now), COUNTER_TTL_SECONDS)


def record_success(*, username: str, address: str) -> None:
    """Clear the username's counter. The address counter stays: one valid account must not
    let an attacker reset the limit for guessing other accounts from the same address."""
    cache.delete(_counters(username=username, address=address)[0].key)
