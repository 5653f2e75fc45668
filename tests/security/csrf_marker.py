"""A CSRF failure view that marks its answer, so a sweep can tell a CSRF refusal from any
other 403 (a permission check, a closed form)."""

from django.http import HttpResponseForbidden

MARKER = "rathaus-security-sweep: csrf refused"


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(f"{MARKER} ({reason})")
