"""Response headers every page needs beyond Django's own security middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


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
