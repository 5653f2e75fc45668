"""Progressive throttling of failed logins (no lockout).

After a few free attempts, each further failure doubles the wait before the next attempt is
looked at: 0, 0, 0, 2, 4, 8 … seconds, at most 15 minutes (BSI IT-Grundschutz ORP.4.A22 and
NIST SP 800-63B § 5.2.2 ask for rate limiting; a hard lockout would let anyone lock real users
out by guessing). Counters are rows in the database (``LoginThrottle``), per username and per
client address, so every web process sees the same numbers. The address counter allows more
free attempts because many people can share one address (an office behind NAT).

An attempt is counted *before* its password or code is checked, under a row lock
(``claim_attempt``), and un-counted when it succeeds (``record_success``). So twenty parallel
guesses cannot all pass the check while the counter still reads low: each must claim its turn,
and the fourth finds the counter at three and waits (issue 11, finding 3).

Public names: ``claim_attempt``, ``record_success``, ``wait_seconds``.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from django.db import transaction

from .models import LoginThrottle

MAX_WAIT_SECONDS = 15 * 60
FREE_ATTEMPTS_PER_USERNAME = 3
FREE_ATTEMPTS_PER_ADDRESS = 10
# Counters are forgotten a day after the last attempt.
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
    # Hash the username so the database never holds what someone typed into the login field.
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return [
        _Counter(f"user:{name}", FREE_ATTEMPTS_PER_USERNAME),
        _Counter(f"addr:{address[:90]}", FREE_ATTEMPTS_PER_ADDRESS),
    ]


def _locked_rows(counters: list[_Counter], now: float) -> list[LoginThrottle]:
    rows = []
    for counter in counters:
        # get_or_create copes with a parallel insert of the same key (unique constraint, retry).
        LoginThrottle.objects.get_or_create(key=counter.key, defaults={"last_attempt_at": now})
        rows.append(LoginThrottle.objects.select_for_update().get(key=counter.key))
    return rows


def claim_attempt(*, username: str, address: str, now: float | None = None) -> int:
    """Count one login attempt, or refuse it: returns 0 when the attempt may be checked (and is
    now counted), else the seconds to wait (nothing counted, the wait is not extended)."""
    now = time.time() if now is None else now
    counters = _counters(username=username, address=address)
    with transaction.atomic():
        LoginThrottle.objects.filter(last_attempt_at__lt=now - COUNTER_TTL_SECONDS).delete()
        rows = _locked_rows(counters, now)
        remaining = 0.0
        for counter, row in zip(counters, rows, strict=True):
            allowed_at = row.last_attempt_at + wait_seconds(row.attempts, free_attempts=counter.free_attempts)
            remaining = max(remaining, allowed_at - now)
        if remaining > 0:
            return math.ceil(remaining)
        for row in rows:
            row.attempts += 1
            row.last_attempt_at = now
            row.save(update_fields=["attempts", "last_attempt_at"])
    return 0


def record_success(*, username: str, address: str, login_complete: bool = True) -> None:
    """The claimed attempt succeeded: take it back from both counters, and when the login is
    complete (``login_complete``) clear the username's counter. After a right password that
    still needs its TOTP code the username's earlier failures stay, so that re-entering the
    password does not buy fresh guesses at the code. The address's earlier failures always
    stay: one valid account must not reset the limit for guessing others from that address."""
    user_counter, address_counter = _counters(username=username, address=address)
    with transaction.atomic():
        if login_complete:
            LoginThrottle.objects.filter(key=user_counter.key).delete()
        keys = [address_counter.key] if login_complete else [user_counter.key, address_counter.key]
        for row in LoginThrottle.objects.select_for_update().filter(key__in=keys, attempts__gt=0):
            row.attempts -= 1
            row.save(update_fields=["attempts"])
