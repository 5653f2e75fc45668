"""Idempotency keys for state-changing API calls (as in the IETF draft
"The Idempotency-Key HTTP Header Field").

The client sends ``Idempotency-Key``; the first successful answer is stored with a hash of
method, path and body. The same key with the same request replays that answer (header
``Idempotent-Replayed: true``); the same key with a different request is refused with a
problem+json (422, ``idempotency_key_reused``). Failed calls are not stored, so a client
may retry them with the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse

from rathaus.api.problems import Problem

from .models import IdempotencyRecord

MAX_KEY = 200


def idempotent(request: HttpRequest, handler: Callable[[], tuple[int, dict[str, Any]]]) -> JsonResponse:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > MAX_KEY:
        raise Problem(
            400,
            "Zustandsändernde Aufrufe brauchen den Header „Idempotency-Key“ (1 bis 200 Zeichen).",
            code="idempotency_key_missing",
        )
    owner = f"token:{getattr(request.auth, 'pk', '')}"  # type: ignore[attr-defined]
    operation = f"{request.method} {request.path}"
    body_hash = hashlib.sha256(operation.encode() + b"\n" + request.body).hexdigest()
    with transaction.atomic():
        record = IdempotencyRecord.objects.select_for_update().filter(owner=owner, key=key).first()
        if record is not None:
            if record.body_hash != body_hash:
                raise Problem(
                    422,
                    "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet.",
                    code="idempotency_key_reused",
                )
            response = JsonResponse(json.loads(record.response), status=record.status_code, safe=False)
            response["Idempotent-Replayed"] = "true"
            return response
        status, data = handler()
        body = json.dumps(data, ensure_ascii=False, default=str)
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
            raise Problem(
                409, "Eine Anfrage mit diesem Idempotency-Key läuft gerade.", code="idempotency_in_progress"
            ) from None
    return JsonResponse(json.loads(body), status=status, safe=False)
