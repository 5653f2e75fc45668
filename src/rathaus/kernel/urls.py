"""Absolute links to this installation: the one place that turns a path into an address people
can open from an e-mail, a postbox message, a payment service's redirect or the demo's output.

Every link leaves through ``absolute(path)`` and points at ``RATHAUS_BASE_URL`` (the address
people reach the installation at), whatever made it: a web form, the API, the demo or a
background task without any request. Production refuses to start without that setting
(``config.settings.production``); elsewhere it falls back to the request's own address where a
page builds the link, else to ``DEVELOPMENT_BASE_URL``, where ``make run`` serves the demo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["DEVELOPMENT_BASE_URL", "absolute", "is_production_site_address", "site_url"]

# Where ``make run`` (and ``rathaus runserver``) serve by default.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"


def site_url(request: HttpRequest | None = None) -> str:
    """``RATHAUS_BASE_URL`` without a trailing slash; where it is not set (never in production),
    the origin of ``request`` if there is one, else ``DEVELOPMENT_BASE_URL``."""
    configured = str(getattr(settings, "RATHAUS_BASE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return DEVELOPMENT_BASE_URL


def is_production_site_address(value: str) -> bool:
    """Whether ``value`` may be ``RATHAUS_BASE_URL`` in production: https, a host, nothing else (no
    path, which ``reverse`` already gives, no user, query or fragment). Used by the production
    settings before Django is set up, so this module imports nothing of Django at load time but
    the lazy settings."""
    try:
        site = urlsplit(value)
        port_ok = site.port is None or site.port > 0
    except ValueError:
        return False
    return (
        site.scheme == "https"
        and bool(site.hostname)
        and port_ok
        and not (site.username or site.password or site.path or site.query or site.fragment)
    )


def absolute(path: str, *, request: HttpRequest | None = None) -> str:
    """The absolute address of ``path`` (a path of this site, as ``reverse`` gives it)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"not a path of this site: {path!r}")
    return f"{site_url(request)}{path}"
