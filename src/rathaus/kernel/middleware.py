"""Response headers every page needs beyond Django's own security middleware, and the idle
timeout of logged-in sessions."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

LAST_SEEN_KEY = "rathaus_last_seen"
# The last-seen time is written at most once a minute, so a busy page costs no session write.
LAST_SEEN_RESOLUTION = 60
IDLE_MESSAGE = gettext_noop(
    "Sie wurden nach %(minutes)s Minuten ohne Aktivität abgemeldet. Bitte melden Sie sich erneut an."
)


class PrivatePagesNotStoredMiddleware:
    """A page answered to a logged-in person holds personal or internal data: no browser or
    proxy may store it (``Cache-Control: no-store, private``; OWASP ASVS 5.0 V14.3.2), so the
    back button on a shared computer shows nothing after logout. Responses that set their own
    Cache-Control (e.g. the cacheable page images of the E-Akte viewer, marked private) keep it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class IdleSessionTimeoutMiddleware:
    """Log out a session that has been idle for ``SESSION_IDLE_SECONDS`` (30 minutes by default;
    OWASP ASVS 5.0 V7.3.1), on top of the absolute lifetime ``SESSION_COOKIE_AGE``. A computer
    left unlocked at the counter or in a library then no longer opens a case or a citizen's
    account. The next page says why the person has to log in again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_SECONDS:
                auth.logout(request)
                minutes = settings.SESSION_IDLE_SECONDS // 60
                messages.info(request, _(IDLE_MESSAGE) % {"minutes": minutes})
            elif not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
