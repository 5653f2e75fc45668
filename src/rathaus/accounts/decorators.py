"""Access decorators for views."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import User


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only staff whose session passed the second factor (TOTP) get through.

    Anyone not logged in as such is sent to the staff login; a logged-in citizen or
    organisation user gets 403.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.kind == User.Kind.STAFF and user.is_verified():
            return view(request, *args, **kwargs)
        if user.is_authenticated and user.kind != User.Kind.STAFF:
            raise PermissionDenied
        return redirect_to_login(_return_after_login(request), reverse("accounts:staff-login"))

    return wrapped


View = Callable[..., HttpResponse]


def citizen_account_required(*, refused_template: str) -> Callable[[View], View]:
    """Only a citizen account gets through; anyone not logged in is sent to the login.

    A logged-in staff or organisation user gets ``refused_template`` with 403: a page of the
    app saying who the page is for and where that user goes instead::

        citizen_only = citizen_account_required(refused_template="payments/citizens_only.html")
    """

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request.user, "kind", None) != User.Kind.CITIZEN:
                return render(request, refused_template, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def _return_after_login(request: HttpRequest) -> str:
    """Where login should lead back to. A form posted with an expired session cannot be
    replayed after login (and its address often answers only POST: a blank 405), so the
    clerk goes back to the page the form was on, if it was one of this site; else their
    start page."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse(settings.LOGIN_REDIRECT_URL)
