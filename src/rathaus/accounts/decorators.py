"""Access decorators for views."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

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
        return redirect_to_login(request.get_full_path(), reverse("accounts:staff-login"))

    return wrapped
