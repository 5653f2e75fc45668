"""Abuse resistance of the booking: proof of work, a waiting ticket without JavaScript, rate limits.

- **Proof of work (ALTCHA)**: before a reservation the browser must find a number whose
  SHA-256 with a server-signed salt matches the challenge (``altcha`` package, protocol v1).
  No third party, no tracking, no cookie. Each solved challenge counts once.
- **Without JavaScript** nobody can compute the work, so the page carries a signed waiting
  ticket instead: it becomes valid ``WAIT_SECONDS`` after the page was shown and counts once.
  It costs a person nothing (choosing a time takes longer) but a bot time per reservation;
  the rate limits below apply to both ways (decision 0081).
- "Counts once" is recorded in the database until the challenge or ticket expires
  (``kernel.spent``), not in the cache, which may evict an entry under load (decision 0085).
  A challenge is spent by its ``challenge`` value, so the same solution encoded another way
  (other key order, the number as text) is the same spent challenge.
- **Rate limits** per client address: a fixed window counted in the shared cache (the same
  scheme as the API's per-token limit); callers answer 429 with ``Retry-After``.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import altcha
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from rathaus.kernel import spent

POW_MAX_NUMBER = 30_000
POW_VALID_SECONDS = 15 * 60
WAIT_SECONDS = 15
WAIT_VALID_SECONDS = 30 * 60
_WAIT_SALT = "rathaus.appointments.wait-ticket"
# Spent challenges and tickets are kept this long after they expire (clock differences).
SPENT_MARGIN_SECONDS = 10 * 60
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


def _pow_solution(payload: str) -> dict[str, Any] | None:
    """The decoded solution if it has the protocol's fields with their types, else None (the
    ``altcha`` package fails with an exception on, e.g., a number as the salt)."""
    try:
        data = json.loads(base64.b64decode(payload, validate=True))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(data, dict) or type(data.get("number")) is not int:
        return None
    if not all(isinstance(data.get(name), str) for name in ("algorithm", "challenge", "salt", "signature")):
        return None
    return data


def pow_verify(payload: str) -> bool:
    """True once per solved challenge: a valid, unexpired solution of a challenge not spent before."""
    if not payload or len(payload) > 2000:
        return False
    solution = _pow_solution(payload)
    if solution is None:
        return False
    ok, _error = altcha.verify_solution_v1(payload, _hmac_key(), check_expires=True)
    if not ok:
        return False
    # A challenge expires POW_VALID_SECONDS after it was made, so before this; the margin covers
    # clocks of several servers that differ a little.
    expires_at = timezone.now() + datetime.timedelta(seconds=POW_VALID_SECONDS + SPENT_MARGIN_SECONDS)
    return spent.spend(purpose="appointments.pow", value=solution["challenge"], expires_at=expires_at)


def wait_ticket(*, now: float | None = None) -> str:
    """A signed ticket that becomes valid ``WAIT_SECONDS`` from ``now`` (default: now)."""
    issued = int(time.time() if now is None else now)
    return signing.dumps({"n": secrets.token_urlsafe(12), "t": issued}, salt=_WAIT_SALT)


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
    expires = issued + WAIT_VALID_SECONDS + SPENT_MARGIN_SECONDS
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    if not spent.spend(purpose="appointments.wait-ticket", value=nonce, expires_at=expires_at):
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
