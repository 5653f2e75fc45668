"""Domain exceptions that views and the API map to HTTP responses.

Every exception carries a German ``message`` for people, a stable machine ``code`` (used
as the problem type in RFC 9457 problem+json) and the ``http_status`` it maps to.
Views and the API base translate them once; services raise them and never build responses.

Public names: ``RathausError``, ``NotFound`` (404), ``PermissionDenied`` (403),
``Conflict`` (409), ``Busy`` (409: concurrent writes, try again; see ``kernel.retry``),
``InvalidInput`` (422).
"""

from __future__ import annotations


class RathausError(Exception):
    """Base class: something a user can be told about in plain German."""

    http_status = 400
    default_code = "error"
    default_message = "Die Anfrage konnte nicht bearbeitet werden."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        self.code = code or self.default_code
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotFound(RathausError):
    """The object does not exist, or the user may not know that it exists (→ 404)."""

    http_status = 404
    default_code = "not_found"
    default_message = "Das angeforderte Objekt wurde nicht gefunden."


class PermissionDenied(RathausError):
    """The user is known to be not allowed to do this (→ 403)."""

    http_status = 403
    default_code = "permission_denied"
    default_message = "Sie sind für diese Aktion nicht berechtigt."


class Conflict(RathausError):
    """The request clashes with the current state, e.g. a duplicate or a stale edit (→ 409)."""

    http_status = 409
    default_code = "conflict"
    default_message = "Die Aktion passt nicht zum aktuellen Stand der Daten."


class Busy(Conflict):
    """Concurrent writes kept the database from finishing this one, even when repeated
    (``kernel.retry``); nothing was changed and the same request can simply be sent again (→ 409)."""

    default_code = "busy"
    default_message = (
        "Gerade ändern sehr viele gleichzeitig dieselben Daten. "
        "Es wurde nichts gespeichert; bitte versuchen Sie es in einem Moment noch einmal."
    )


class InvalidInput(RathausError):
    """Input was understood but is not acceptable (→ 422)."""

    http_status = 422
    default_code = "invalid_input"
    default_message = "Die Eingabe ist ungültig."
