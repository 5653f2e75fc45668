"""The JSON API at ``/api/v1/`` (django-ninja, OpenAPI at ``/api/v1/docs``).

How an app adds endpoints:

1. Write ``rathaus/<app>/api.py`` with ``router = Router(tags=["…"])`` (``from ninja import Router``)
   and thin operations that parse, authorise (``rathaus.api.auth.require_scope``), call one
   service or selector and return a schema.
2. Add ``("<prefix>", "rathaus.<app>.api.router")`` to ``ROUTERS`` in ``rathaus/api/main.py``.

Input schemas use the strict field types of ``rathaus.api.types`` (``Text200``, ``Money``,
``Count`` …) instead of bare ``str``/``Decimal``/``int``: no NUL, no invisible-only text, no
NaN or 30-digit numbers reach a service. ``RejectNulMiddleware`` refuses NUL anywhere in a JSON
body or query string; oversized bodies are 413, broken multipart 400, and a value the database
still refuses 422 — never a 500.

Every operation is authenticated with an API token (``Authorization: Bearer <token>``) unless
it passes ``auth=None``. Errors are RFC 9457 problem details: raise the kernel's ``NotFound`` /
``PermissionDenied``, ``ninja.errors.HttpError`` or ``rathaus.api.problems.Problem``; request
validation (422), authentication (401), throttling (429) and crashes (500) are handled centrally.
"""
