"""API token authentication (RFC 6750 bearer tokens) and scope checks."""

import hmac
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts import services as account_services
from rathaus.accounts.types import ApiToken

from .problems import Problem

# last_used_at is written at most once per this interval per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``, checked against the stored SHA-256 hashes."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        address = request.META.get("REMOTE_ADDR", "")
        _refuse_while_guessing(address)
        token = token.strip()
        found = None
        if 16 <= len(token) <= 256:
            digest = account_services.api_token_hash(token)
            for candidate in account_selectors.usable_api_tokens_with_prefix(token[:8]):
                # Constant-time: the comparison must not tell how many characters matched.
                if hmac.compare_digest(candidate.key_hash, digest):
                    found = candidate
        if found is None:
            request.rathaus_token_invalid = True  # type: ignore[attr-defined]
            _count(f"api-bad-token:{address}:{int(time.time() // 60)}")
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
            account_services.api_token_touch(token=found, now=now)
        _check_rate(found)
        return found


# Wrong tokens one client address may send per minute before it waits for the next minute.
# Tokens are 256-bit secrets, so this is not what keeps them safe: it stops a flood of wrong
# tokens from costing a database lookup each (OWASP ASVS 5.0 V2.4.1, anti-automation).
BAD_TOKENS_PER_MINUTE = 30


def _count(key: str) -> int:
    """Add one to a counter that lives two minutes, atomically in a shared cache (Redis)."""
    cache.add(key, 0, 120)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, 120)
        return 1


def _refuse_while_guessing(address: str) -> None:
    now = time.time()
    window = int(now // 60)
    if (cache.get(f"api-bad-token:{address}:{window}") or 0) >= BAD_TOKENS_PER_MINUTE:
        raise Throttled(wait=int((window + 1) * 60 - now) + 1)


def _check_rate(token: ApiToken) -> None:
    """A fixed one-minute window per token, counted atomically in the shared cache."""
    limit = settings.RATHAUS_API_RATE_PER_MINUTE  # from the environment (config.settings.base)
    now = time.time()
    window = int(now // 60)
    if _count(f"api-rate:{token.pk}:{window}") > limit:
        raise Throttled(wait=int((window + 1) * 60 - now) + 1)


def require_scope(request: HttpRequest, scope: str) -> ApiToken:
    """The request's token, if it carries ``scope``; else a 403 problem."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        raise Problem(
            403,
            _("Dem API-Token fehlt die Berechtigung „%(scope)s“.") % {"scope": scope},
            code="missing_scope",
        )
    return token
