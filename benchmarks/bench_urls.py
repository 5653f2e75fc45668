"""The project's URLs plus /bench/bare/, a view that does nothing, as the baseline."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from rathaus.config.urls import urlpatterns as project_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *project_urlpatterns]
