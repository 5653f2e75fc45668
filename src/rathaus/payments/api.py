"""JSON API of E-Payment (scopes ``payments:read``, ``payments:write``), the payment
notification endpoint, and the sandbox payment service's XBezahldienste interface.

Every state-changing call needs an ``Idempotency-Key`` header (``rathaus.kernel.idempotency``).
"""

from __future__ import annotations

import datetime
import hmac
import json
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from ninja.security import HttpBearer

from rathaus.api.auth import require_scope
from rathaus.api.problems import Problem, problem_response
from rathaus.api.types import Count, Money, Text100, Text200, Text500
from rathaus.directory.selectors import office_by_slug
from rathaus.domain.payments import xbezahldienste as xb
from rathaus.kernel.exceptions import NotFound
from rathaus.kernel.idempotency import idempotent
from rathaus.kernel.idempotency import openapi_extra as idempotency_documented

from . import conf, sandbox, selectors, services
from .models import Claim

router = Router(tags=["E-Payment"])
READ, WRITE = "payments:read", "payments:write"


class ClaimOut(Schema):
    kassenzeichen: str
    display: str
    office: str
    purpose: str
    debtor_name: str
    amount: Decimal
    open_amount: Decimal
    paid_total: Decimal
    refunded_total: Decimal
    status: str
    due_on: datetime.date
    payment_policy: str


class ClaimIn(Schema):
    office: Text100
    purpose: Text200
    debtor_name: Text200
    tariff_key: Text100 = ""
    amount: Money | None = None
    quantity: Count = 1
    reductions: list[Text100] = []


class RefundIn(Schema):
    amount: Money
    reason: Text500


def _out(claim: Claim) -> dict[str, Any]:
    return {
        "kassenzeichen": claim.kassenzeichen,
        "display": claim.display_kassenzeichen,
        "office": claim.office.slug,
        "purpose": claim.purpose,
        "debtor_name": claim.debtor_name,
        "amount": f"{claim.amount:.2f}",
        "open_amount": f"{claim.open_amount:.2f}",
        "paid_total": f"{claim.paid_total:.2f}",
        "refunded_total": f"{claim.refunded_total:.2f}",
        "status": claim.status,
        "due_on": claim.due_on.isoformat(),
        "payment_policy": claim.payment_policy,
    }


def _claim(request: HttpRequest, kassenzeichen: str) -> Claim:
    found = selectors.claim_by_kassenzeichen(text=kassenzeichen)
    owner = request.auth.owner  # type: ignore[attr-defined]
    return selectors.claim_for_staff(
        user=owner, kassenzeichen=found.kassenzeichen if found else "-", purpose="Abruf über die API"
    )


@router.get("/payments/claims/{kassenzeichen}", response=ClaimOut, summary="Eine Forderung")
def claim_get(request: HttpRequest, kassenzeichen: str) -> dict[str, Any]:
    require_scope(request, READ)
    return _out(_claim(request, kassenzeichen))


@router.post(
    "/payments/claims",
    response={201: ClaimOut},
    summary="Forderung anlegen (Idempotency-Key)",
    openapi_extra=idempotency_documented(),
)
def claim_post(request: HttpRequest, payload: ClaimIn) -> HttpResponse:
    token = require_scope(request, WRITE)
    office = office_by_slug(slug=payload.office)
    if office is None or not selectors.payment_offices(token.owner).filter(pk=office.pk).exists():
        raise NotFound(
            "Diese Dienststelle gibt es nicht oder das Token darf für sie keine Forderungen anlegen."
        )

    def create() -> tuple[int, dict[str, Any]]:
        claim = services.claim_create(
            office=office,
            purpose=payload.purpose,
            debtor_name=payload.debtor_name,
            tariff_key=payload.tariff_key,
            amount=payload.amount,
            quantity=payload.quantity,
            reductions=payload.reductions,
            by=token.owner,
        )
        return 201, _out(claim)

    return idempotent(request, create)


@router.post(
    "/payments/claims/{kassenzeichen}/cancel",
    response=ClaimOut,
    summary="Forderung aufheben",
    openapi_extra=idempotency_documented(),
)
def claim_cancel(request: HttpRequest, kassenzeichen: str, reason: str) -> HttpResponse:
    token = require_scope(request, WRITE)
    claim = _claim(request, kassenzeichen)
    return idempotent(
        request, lambda: (200, _out(services.claim_cancel(claim=claim, reason=reason, by=token.owner)))
    )


@router.post(
    "/payments/claims/{kassenzeichen}/refunds",
    response={201: dict},
    summary="Erstattung beantragen",
    openapi_extra=idempotency_documented(),
)
def refund_post(request: HttpRequest, kassenzeichen: str, payload: RefundIn) -> HttpResponse:
    token = require_scope(request, WRITE)
    claim = _claim(request, kassenzeichen)
    key = request.headers.get("Idempotency-Key", "")

    def create() -> tuple[int, dict[str, Any]]:
        refund = services.refund_request(
            claim=claim, amount=payload.amount, reason=payload.reason, by=token.owner, request_key=key
        )
        return 201, {"id": refund.pk, "status": refund.status, "amount": f"{refund.amount:.2f}"}

    return idempotent(request, create)


@router.post(
    "/payments/notifications",
    auth=None,
    summary="Zahlungsbenachrichtigung (HMAC-signiert)",
    openapi_extra={
        "responses": {
            403: {"description": "Die Signatur (X-Signature) fehlt oder ist ungültig."},
            404: {"description": "Die Transaktion ist unbekannt (outcome „unknown“)."},
            422: {"description": "Betrag oder Währung passen nicht zur Zahlung (outcome „mismatch“)."},
        }
    },
)
def notification(request: HttpRequest) -> HttpResponse:
    event = services.notification_receive(body=request.body, signature=request.headers.get("X-Signature", ""))
    fields = {"eventId": event.event_id, "outcome": event.outcome}
    status = {"unknown": 404, "mismatch": 422}.get(event.outcome)
    if status:
        # An error is a problem document too, with the provider's fields as extensions.
        return problem_response(
            request, status, event.detail, code=f"notification_{event.outcome}", extensions=fields
        )
    return JsonResponse({**fields, "detail": event.detail})


class SandboxAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        if not conf.sandbox_enabled() or not hmac.compare_digest(token, conf.sandbox_token()):
            return None
        return token


@router.post(
    "/payments/sandbox/paymenttransaction/{originator_id}/{endpoint_id}",
    auth=SandboxAuth(),
    summary="Sandbox (XBezahldienste): Zahlungsanforderung",
)
def sandbox_create(request: HttpRequest, originator_id: str, endpoint_id: str) -> JsonResponse:
    try:
        payload = json.loads(request.body.decode("utf-8"))
        req = xb.PaymentRequest.from_json(payload)
    except (ValueError, xb.MessageError) as exc:
        raise Problem(422, str(exc), code="payment_request") from exc
    if not sandbox.redirect_allowed(req.redirect_url):
        raise Problem(
            422,
            "redirectUrl muss eine Adresse dieser Website sein: ein Pfad, der mit / beginnt, "
            "oder die Adresse der Website (RATHAUS_BASE_URL) mit einem solchen Pfad.",
            code="payment_request",
        )
    info = sandbox.transaction_create(req)
    return JsonResponse({"paymentRequest": req.to_json(), "paymentInformation": info.to_json()}, status=201)


@router.get(
    "/payments/sandbox/paymenttransaction/{originator_id}/{endpoint_id}/{transaction_id}",
    auth=SandboxAuth(),
    summary="Sandbox (XBezahldienste): Status einer Zahlung",
)
def sandbox_get(
    request: HttpRequest, originator_id: str, endpoint_id: str, transaction_id: str
) -> JsonResponse:
    info = sandbox.transaction_info(transaction_id)
    return JsonResponse(
        {"paymentRequest": sandbox.transaction_request(transaction_id), "paymentInformation": info.to_json()}
    )
