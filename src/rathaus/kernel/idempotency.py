"""Idempotency keys for state-changing API calls (as in the IETF draft
"The Idempotency-Key HTTP Header Field"), for every app's API (decision 0085).

The client sends ``Idempotency-Key``; the first successful answer is stored with a hash of
method, path and body, per API token. The same key with the same request replays that answer
(header ``Idempotent-Replayed: true``); the same key with a different request is refused
(422, ``idempotency_key_reused``); a request whose twin with the same key is still running gets
409 (``idempotency_in_progress``) and changes nothing. Failed calls are not stored, so a client
may retry them with the same key. The errors are ``RathausError`` exceptions, which the API
answers as problem+json. ``openapi_extra()`` documents the header and these answers in an operation.

A secret that belongs in the answer but not in the database (a personal link derived on the
fly) is left out of what ``handler`` returns and added by ``answer``, the first time and on
every replay.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from .exceptions import Conflict, InvalidInput, RathausError
from .models import IdempotencyRecord

MAX_KEY = 200
HEADER = "Idempotency-Key"

Handler = Callable[[], tuple[int, dict[str, Any]]]
Answer = Callable[[dict[str, Any]], dict[str, Any]]


def idempotent(request: HttpRequest, handler: Handler, *, answer: Answer | None = None) -> JsonResponse:
    """Run ``handler`` once per ``Idempotency-Key``: it returns the status and the data to store;
    the response body is ``answer(data)`` (or the data itself)."""
    key = request.headers.get(HEADER, "").strip()
    if not key or len(key) > MAX_KEY:
        raise RathausError(
            "Zustandsändernde Aufrufe brauchen den Header „Idempotency-Key“ (1 bis 200 Zeichen).",
            code="idempotency_key_missing",
        )
    owner = f"token:{getattr(request.auth, 'pk', '')}"  # type: ignore[attr-defined]
    operation = f"{request.method} {request.path}"
    body_hash = hashlib.sha256(operation.encode() + b"\n" + request.body).hexdigest()
    render = answer or (lambda data: data)
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().filter(owner=owner, key=key).first()
        if record is not None:
            if record.body_hash != body_hash:
                raise InvalidInput(
                    "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
                    code="idempotency_key_reused",
                )
            response = _json(render(json.loads(record.response)), record.status_code)
            response["Idempotent-Replayed"] = "true"
            return response
        status, data = handler()
        body = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    operation=operation[:200],
                    body_hash=body_hash,
                    status_code=status,
                    response=body,
                )
        except IntegrityError:
            # The twin committed first; leaving by an exception rolls this call's writes back.
            raise Conflict(
                "Eine Anfrage mit diesem Idempotency-Key läuft gerade.", code="idempotency_in_progress"
            ) from None
        return _json(render(json.loads(body)), status)


def _json(data: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, encoder=DjangoJSONEncoder)


def openapi_extra() -> dict[str, Any]:
    """The header and its answers, for an operation's ``openapi_extra`` (a new dict each call)."""
    return {
        "parameters": [
            {
                "in": "header",
                "name": HEADER,
                "required": True,
                "description": (
                    "Ein eindeutiger Schlüssel je Vorgang (1 bis 200 Zeichen), z. B. eine UUID. Dieselbe "
                    "Anfrage mit demselben Schlüssel noch einmal (nach einem Abbruch) bekommt die erste "
                    "Antwort mit „Idempotent-Replayed: true“ und ändert nichts."
                ),
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
            }
        ],
        "responses": {
            400: {
                "description": (
                    "Die Anfrage ist fehlerhaft (z. B. kein gültiges JSON), oder der Header Idempotency-Key "
                    "fehlt oder ist zu lang (idempotency_key_missing)."
                )
            },
            409: {
                "description": (
                    "Konflikt mit dem aktuellen Stand, oder eine Anfrage mit demselben Idempotency-Key "
                    "läuft gerade (idempotency_in_progress)."
                )
            },
            422: {
                "description": (
                    "Ungültige Angaben (errors[] nennt sie), oder der Idempotency-Key wurde schon für "
                    "eine andere Anfrage verwendet (idempotency_key_reused)."
                )
            },
        },
    }


# How long a stored answer is replayed: a client retries within minutes or hours; after a week a
# key is free again and its row goes (run daily by the housekeeping, ``rathaus appointments
# housekeeping``).
KEEP = datetime.timedelta(days=7)


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored answers older than ``KEEP``; how many rows went."""
    limit = (now or timezone.now()) - KEEP
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=limit).delete()
    return deleted
