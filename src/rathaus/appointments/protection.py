"""Abuse resistance of the booking: proof of work, a waiting ticket without JavaScript, rate limits.

- **Proof of work (ALTCHA)**: before a reservation the browser must find a number whose
  SHA-256 with a server-signed salt matches the challenge (``altcha`` package, protocol v1).
  No third party, no tracking, no cookie. Each solved challenge counts once.
- **Without JavaScript** nobody can compute the work, so the page carries a signed waiting
  ticket instead: it becomes valid ``WAIT_SECONDS`` after the page was shown and counts once.
  It costs a person nothing (choosing a time takes longer) but a bot time per reservation;
  the rate limits below apply to both ways (decision 0081).
- **Rate limits** per client address: a fixed window counted in the shared cache (the same
  scheme as the API's per-token limit); callers answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import datetime
import secrets
import time
from dataclasses import dataclass

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

POW_MAX_NUMBER = 30_000
POW_VALID_SECONDS = 15 * 60
WAIT_SECONDS = 15
WAIT_VALID_SECONDS = 30 * 60
_WAIT_SALT = "rathaus.appointments.wait-ticket"
# (requests, window seconds) per client address.
DEFAULT_RESERVE_RATE = (10, 10 * 60)
DEFAULT_LOOKUP_RATE = (120, 60)


def _hmac_key() -> str:
    return salted_hmac("rathaus.appointments.altcha", "pow-key", algorithm="sha256").hexdigest()


def pow_challenge() -> dict[str, object]:
    """A fresh ALTCHA challenge (JSON-ready), valid ``POW_VALID_SECONDS``."""
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=POW_VALID_SECONDS)
    options = altcha.ChallengeOptionsV1(
        hmac_key=_hmac_key(),
        max_number=int(getattr(settings, "APPOINTMENTS_POW_MAX_NUMBER", POW_MAX_NUMBER)),
        expires=expires,
    )
    challenge = altcha.create_challenge_v1(options)
    return challenge.to_dict()


def pow_verify(payload: str) -> bool:
    """True once per solved challenge: a valid, unexpired solution not seen before."""
    if not payload or len(payload) > 2000:
        return False
    ok, _error = altcha.verify_solution_v1(payload, _hmac_key(), check_expires=True)
    if not ok:
        return False
    return cache.add(f"appt-pow:{salted_hmac('appt-pow', payload).hexdigest()}", 1, POW_VALID_SECONDS + 60)


def wait_ticket() -> str:
    """A signed ticket that becomes valid ``WAIT_SECONDS`` from now."""
    return signing.dumps({"n": secrets.token_urlsafe(12), "t": int(time.time())}, salt=_WAIT_SALT)


@dataclass(frozen=True)
class TicketCheck:
    valid: bool
    wait_seconds: int = 0  # > 0: valid later, try again after this many seconds


def wait_ticket_check(ticket: str, *, now: float | None = None) -> TicketCheck:
    """Whether ``ticket`` may be used now; it is consumed when it is."""
    now = time.time() if now is None else now
    try:
        data = signing.loads(ticket, salt=_WAIT_SALT, max_age=WAIT_VALID_SECONDS)
        issued, nonce = int(data["t"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return TicketCheck(valid=False)
    remaining = issued + getattr(settings, "APPOINTMENTS_WAIT_SECONDS", WAIT_SECONDS) - now
    if remaining > 0:
        return TicketCheck(valid=False, wait_seconds=int(remaining + 0.999))
    if not cache.add(f"appt-wait:{nonce}", 1, WAIT_VALID_SECONDS + 60):
        return TicketCheck(valid=False)
    return TicketCheck(valid=True)


def rate_limit(scope: str, client: str, *, now: float | None = None) -> int:
    """Count one request of ``client`` in ``scope``; 0 if allowed, else seconds to wait."""
    limits = {
        "reserve": getattr(settings, "APPOINTMENTS_RESERVE_RATE", DEFAULT_RESERVE_RATE),
        "lookup": getattr(settings, "APPOINTMENTS_LOOKUP_RATE", DEFAULT_LOOKUP_RATE),
    }
    limit, window = limits[scope]
    now = time.time() if now is None else now
    slot = int(now // window)
    key = f"appt-rate:{scope}:{client}:{slot}"
    cache.add(key, 0, window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, window * 2)
        count = 1
    if count > limit:
        return int((slot + 1) * window - now) + 1
    return 0


def client_address(request: object) -> str:
    """The client's address as Django sees it (the proxy must set REMOTE_ADDR, see operations)."""
    meta = getattr(request, "META", {})
    return str(meta.get("REMOTE_ADDR", "") or "unknown")
