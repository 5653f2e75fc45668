"""URLs under ``/api/v1/``: the ninja API, with 404 and 405 answered as problem+json too."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from .main import api
from .problems import CONTENT_TYPE, problem_response


def _problem_for_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a plain-text 405; turn it into a problem document."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != CONTENT_TYPE:
            allow = response.get("Allow", "")
            response = problem_response(
                request, 405, _("Die Methode %(method)s ist hier nicht erlaubt.") % {"method": request.method}
            )
            response["Allow"] = allow
        return response

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem_response(request, 404, _("Unter dieser Adresse gibt es keinen API-Endpunkt."))


def _wrapped_patterns() -> list[Any]:
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _problem_for_405(pattern.callback)
    return patterns


app_name = "api"
urlpatterns = [*_wrapped_patterns(), re_path(r"^(?P<rest>.*)$", not_found, name="not-found")]
