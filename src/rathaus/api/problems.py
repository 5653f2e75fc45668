"""RFC 9457 problem details for every error the API returns."""

import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from rathaus.kernel import exceptions as kernel_exceptions

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[int, str]:
    return {
        400: _("Ungültige Anfrage"),
        401: _("Nicht angemeldet"),
        403: _("Keine Berechtigung"),
        404: _("Nicht gefunden"),
        405: _("Methode nicht erlaubt"),
        409: _("Konflikt"),
        413: _("Anfrage zu groß"),
        415: _("Dateityp nicht unterstützt"),
        422: _("Ungültige Eingaben"),
        429: _("Zu viele Anfragen"),
        500: _("Interner Fehler"),
        503: _("Vorübergehend nicht möglich"),
    }


class Problem(Exception):
    """Raise in an operation to answer with a problem document (RFC 9457 § 3)."""

    def __init__(self, status: int, detail: str, *, code: str = "", extensions: dict[str, Any] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.code = code
        self.extensions = extensions or {}


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    code: str = "",
    extensions: dict[str, Any] | None = None,
) -> HttpResponse:
    """A problem document. ``type`` is ``about:blank`` (RFC 9457 § 4.2.1) unless a specific
    ``code`` names the problem, then ``urn:rathaus:problem:<code>``."""
    body: dict[str, Any] = {
        "type": f"urn:rathaus:problem:{code}" if code else "about:blank",
        "title": _titles().get(status) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.get_full_path(),
    }
    if code:
        body["code"] = code  # the same name as in ``type``, for clients that switch on it
    for key, value in (extensions or {}).items():
        body.setdefault(key, value)
    return JsonResponse(
        body, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )


def too_large(request: HttpRequest) -> HttpResponse:
    """413 for a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (file uploads have their own limit)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    return problem_response(
        request,
        413,
        _("Die Anfrage ist zu groß: höchstens %(mb)s MB sind erlaubt.") % {"mb": f"{limit / 1_000_000:.1f}"},
    )


def _validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Each invalid field: where it is (a JSON Pointer into the body, or a parameter name) and why."""
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", [])]
        source = loc[0] if loc else ""
        item: dict[str, Any] = {"in": source, "detail": error.get("msg", ""), "code": error.get("type", "")}
        if source == "body":
            # loc is ["body", <parameter name>, field, …]; the pointer is relative to the body.
            item["pointer"] = "#/" + "/".join(loc[2:])
        else:
            item["parameter"] = ".".join(loc[1:])
        errors.append(item)
    return errors


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Problem Details nach RFC 9457.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "about:blank oder urn:rathaus:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {
            "type": "string",
            "description": "Stabiler Name des Problems (wie in type), falls vorhanden.",
        },
        "errors": {
            "type": "array",
            "description": "Bei 422: jede ungültige Angabe mit Ort und Grund.",
            "items": {
                "type": "object",
                "properties": {
                    "in": {"type": "string"},
                    "pointer": {"type": "string"},
                    "parameter": {"type": "string"},
                    "detail": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        },
    },
}


def _error_statuses(method: str, operation: dict[str, Any]) -> dict[int, str]:
    """The errors every operation of this kind can answer, with the reason (German)."""
    statuses = {
        400: "Die Anfrage ist fehlerhaft (z. B. kein gültiges JSON, zu groß).",
        500: "Interner Fehler; er wurde protokolliert.",
    }
    if operation.get("security"):
        statuses[401] = "Kein, ein ungültiges oder ein widerrufenes API-Token."
        statuses[403] = "Das Token hat die nötige Berechtigung (Scope) oder Zuständigkeit nicht."
        statuses[429] = "Zu viele Anfragen mit diesem Token; Retry-After nennt die Wartezeit."
    else:
        # Public operations are throttled per client address (e.g. appointment availability).
        statuses[429] = "Zu viele Anfragen von dieser Adresse; Retry-After nennt die Wartezeit."
    parameters = operation.get("parameters") or []
    body = operation.get("requestBody") or {}
    if parameters or body:
        statuses[422] = "Ungültige Angaben; errors[] nennt jede mit Ort und Grund."
        # An object named in the path, a parameter or the body (an office, a service …).
        statuses[404] = "Ein genanntes Objekt gibt es nicht oder es ist für dieses Token nicht sichtbar."
    if method in {"post", "put", "patch", "delete"}:
        statuses[409] = "Konflikt mit dem aktuellen Stand (z. B. schon erledigt, doppelt)."
        statuses[413] = "Die Anfrage oder die Datei ist zu groß."
    if "multipart/form-data" in (body.get("content") or {}):
        statuses[415] = "Dieser Dateityp ist hier nicht erlaubt."
    if _carries_a_file(body):
        # kernel.malware: a file is stored only after the malware scan; without it, nothing is stored.
        statuses[503] = "Die Datei konnte gerade nicht auf Schadsoftware geprüft werden; nichts gespeichert."
    return statuses


def _carries_a_file(body: dict[str, Any]) -> bool:
    """A multipart upload, or a body that is a file itself (``format: binary``)."""
    content = body.get("content") or {}
    if "multipart/form-data" in content:
        return True
    return any((media.get("schema") or {}).get("format") == "binary" for media in content.values())


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare in an OpenAPI schema the problem+json errors every operation can answer, beside
    those an operation declares itself, so clients and fuzzers see the whole contract."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Problem", PROBLEM_SCHEMA)
    problem = {CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, description in _error_statuses(method, operation).items():
                # ninja keys responses by int; a schema read from JSON by str.
                key: int | str = str(status) if str(status) in responses else status
                declared = responses.setdefault(key, {"description": description})
                if "content" not in declared:
                    declared["content"] = problem
                declared.setdefault("description", description)
            # Errors an operation declares itself (openapi_extra) without a body are problems too.
            for key, declared in responses.items():
                if str(key).isdigit() and int(key) >= 400 and isinstance(declared, dict):
                    declared.setdefault("content", problem)
    return schema


# Each error the API answers with problem+json, and how (registered by ``install``).


def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _validation_errors(exc)
    fields = ", ".join(e.get("pointer") or e.get("parameter") or e["in"] for e in errors)
    return problem_response(
        request,
        422,
        _("Die Anfrage enthält ungültige Angaben: %(fields)s") % {"fields": fields},
        extensions={"errors": errors},
    )


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # RFC 6750 § 3: no error code when no token was sent, "invalid_token" for a bad one.
    if getattr(request, "rathaus_token_invalid", False):
        detail = _("Das API-Token ist ungültig, abgelaufen oder widerrufen.")
        challenge = 'Bearer realm="rathaus", error="invalid_token"'
    else:
        detail = _("Bitte senden Sie ein API-Token im Header „Authorization: Bearer …“.")
        challenge = 'Bearer realm="rathaus"'
    response = problem_response(request, 401, detail)
    response["WWW-Authenticate"] = challenge
    return response


def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    wait = int(exc.wait or 60)
    response = problem_response(
        request, 429, _("Zu viele Anfragen. Bitte warten Sie %(seconds)s Sekunden.") % {"seconds": wait}
    )
    response["Retry-After"] = str(wait)
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(request, exc.status_code, str(exc.message))


def _problem(request: HttpRequest, exc: Problem) -> HttpResponse:
    return problem_response(request, exc.status, exc.detail, code=exc.code, extensions=exc.extensions)


def _kernel_error(request: HttpRequest, exc: kernel_exceptions.RathausError) -> HttpResponse:
    # NotFound → 404, PermissionDenied → 403, Conflict → 409, InvalidInput → 422 …
    return problem_response(request, exc.http_status, exc.message, code=exc.code)


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, _("Die angefragte Ressource gibt es nicht."))


def _forbidden(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
    return problem_response(request, 403, _("Sie dürfen diese Aktion nicht ausführen."))


def _request_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large(request)


def _bad_multipart(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    return problem_response(
        request,
        400,
        _("Die mehrteilige Anfrage (multipart/form-data) ist fehlerhaft: %(why)s") % {"why": exc},
    )


def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return problem_response(request, 400, _("Die Anfrage ist fehlerhaft und wurde nicht bearbeitet."))


def _data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # The last line of defence (the edge types in rathaus.api.types come first): the
    # database refused a value (too long, too large); the transaction was rolled back.
    logger.warning("API request refused by the database: %s %s: %s", request.method, request.path, exc)
    return problem_response(
        request, 422, _("Eine Angabe ist zu lang oder zu groß; es wurde nichts gespeichert.")
    )


def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    return problem_response(request, 422, _("Eine Zahl ist zu groß; es wurde nichts gespeichert."))


def _crash(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The traceback goes to the log (secrets redacted there), never to the client.
    logger.exception("API request failed: %s %s", request.method, request.path)
    return problem_response(request, 500, _("Ein interner Fehler ist aufgetreten. Er wurde protokolliert."))


_HANDLERS: tuple[tuple[type[Exception], Any], ...] = (
    (ValidationError, _validation),
    (AuthenticationError, _unauthenticated),
    (Throttled, _throttled),
    (HttpError, _http_error),
    (Problem, _problem),
    (kernel_exceptions.RathausError, _kernel_error),
    (Http404, _not_found),
    (DjangoPermissionDenied, _forbidden),
    (RequestDataTooBig, _request_too_large),
    (MultiPartParserError, _bad_multipart),
    (SuspiciousOperation, _suspicious),
    (DataError, _data_error),
    (OverflowError, _overflow),
    (Exception, _crash),
)


def install(api: NinjaAPI) -> None:
    """Answer every error of ``api`` with problem+json (the handler of the closest class wins)."""
    for exc_class, handler in _HANDLERS:
        api.add_exception_handler(exc_class, handler)
