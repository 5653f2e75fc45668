"""Edge checks for every API request, before any operation parses it (issue 11, finding 5)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import problem_response, too_large

API_PREFIX = "/api/"
# JSON spells NUL as \\u0000; form and query data as %00 (already decoded in request.GET).
_NUL_IN_JSON = (b"\\u0000", b"\x00")


class RejectNulMiddleware:
    """No field of any API request may contain a NUL character: PostgreSQL cannot store one
    ("cannot contain NUL"), and no text people write has one. Refused with 400 before parsing.

    Request bodies that are files (multipart uploads, XML, PDF) are not looked into: bytes of
    a file may be anything, and the file checks of each app judge them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            try:
                has_nul = self._has_nul(request)
            except RequestDataTooBig:
                return too_large(request)
            if has_nul:
                return problem_response(
                    request, 400, _("Die Anfrage enthält ein NUL-Zeichen; das ist in keinem Feld zulässig.")
                )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if any(
            "\x00" in key or any("\x00" in value for value in request.GET.getlist(key)) for key in request.GET
        ):
            return True
        if request.content_type == "application/json":
            return any(marker in request.body for marker in _NUL_IN_JSON)
        return False
