"""The JSON API at ``/api/v1/`` (django-ninja, OpenAPI at ``/api/v1/docs``).

How an app adds endpoints:

1. Write ``rathaus/<app>/api.py`` with ``router = Router(tags=["…"])`` (``from ninja import Router``)
   and thin operations that parse, authorise (``rathaus.api.auth.require_scope``), call one
   service or selector and return a schema.
2. Add ``("<prefix>", "rathaus.<app>.api.router")`` to ``ROUTERS`` in ``rathaus/api/main.py``.

Every operation is authenticated with an API token (``Authorization: Bearer <token>``) unless
it passes ``auth=None``. Errors are RFC 9457 problem details: raise the kernel's ``NotFound`` /
``PermissionDenied``, ``ninja.errors.HttpError`` or ``rathaus.api.problems.Problem``; request
validation (422), authentication (401), throttling (429) and crashes (500) are handled centrally.
"""
