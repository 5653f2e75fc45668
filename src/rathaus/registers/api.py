"""JSON API of the registers for other authorities: ``POST /api/v1/registers/exchange`` (issue 15).

An office's specialised procedure asks for data about a person, names the purpose and either a
legal basis of the catalogue or the person's consent, and gets only the released fields plus the
withheld ones with the reason. The token needs the scope ``registers:exchange`` and must be bound
to the requesting office (``rathaus token issue --office <slug>``): the office is taken from the
token, never from the request body. Every request, answered or refused, is logged by
``services.exchange_request`` and shows in the person's Datenschutzcockpit; a refusal is
problem+json with a German ``detail``, a stable ``code`` and the ``exchange_id`` of the log entry.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from rathaus.accounts.types import ApiToken
from rathaus.api.auth import require_scope
from rathaus.api.problems import Problem
from rathaus.api.types import Text100, Text500
from rathaus.kernel import audit

from . import services

router = Router(tags=["Register"])

EXCHANGE = "registers:exchange"

RegisterNumber = Annotated[Text100, Field(min_length=1, max_length=20)]
Purpose = Annotated[Text500, Field(min_length=1, max_length=300)]
BasisId = Annotated[Text100, Field(max_length=60)]


class ExchangeIn(Schema):
    register_number: RegisterNumber = Field(
        ..., description="Ordnungsmerkmal der Person im Melderegister (stabiler Schlüssel)."
    )
    fields: list[Text100] = Field(
        ...,
        min_length=1,
        max_length=30,
        description="Angefragte Datenfelder, z. B. name, date_of_birth, address, children.",
    )
    purpose: Purpose = Field(..., description="Zweck der Anfrage (Art. 5 Abs. 1 Buchst. b DSGVO).")
    legal_basis: BasisId = Field(
        "", description="Kennung der Rechtsgrundlage im Katalog, z. B. bmg-34-grunddaten."
    )
    consent_id: Annotated[int, Field(ge=1, le=2_147_483_647)] | None = Field(
        None, description="Kennung der Einwilligung der Person (statt einer Rechtsgrundlage)."
    )


class WithheldOut(Schema):
    field: str
    code: str
    reason: str


class ExchangeOut(Schema):
    exchange_id: int
    register_number: str
    requesting_office: str
    legal_basis: str
    by_consent: bool
    data: dict[str, Any]
    released: list[str]
    withheld: list[WithheldOut]


def _codes(*classes: type[services.ExchangeRefused]) -> str:
    return ", ".join(f"`{cls.default_code}`" for cls in classes)


# Which refusal answers with which status (the ``code`` of the problem document names it).
_ERRORS = {
    401: "Kein, ein gefälschtes, abgelaufenes oder widerrufenes API-Token.",
    403: "Das Token hat den Scope `registers:exchange` nicht (`missing_scope`), ist an keine "
    "Dienststelle gebunden (`token_without_office`) oder die Anfrage ist nicht gedeckt: "
    + _codes(
        services.OfficeNotAllowed,
        services.ConsentRequired,
        services.ConsentInvalid,
        services.ConsentWithdrawn,
        services.ConsentExpired,
        services.NothingPermitted,
    )
    + ". Jede abgelehnte Anfrage wird protokolliert (`exchange_id`).",
    404: "Die Person ist im Register nicht verzeichnet (" + _codes(services.PersonUnknown) + ").",
    409: "Die Person ist verstorben (" + _codes(services.PersonDeceased) + ").",
    422: "Ungültige Angaben (errors[] nennt sie) oder "
    + _codes(services.PurposeMissing, services.BasisMissing, services.UnknownBasis)
    + ".",
}


def _office_token(request: HttpRequest) -> ApiToken:
    token = require_scope(request, EXCHANGE)
    if token.office is None:
        raise Problem(
            403,
            "Das API-Token ist an keine Dienststelle gebunden; Registeranfragen sind nur mit dem "
            "Token einer anfragenden Dienststelle möglich.",
            code="token_without_office",
        )
    return token


@router.post(
    "/registers/exchange",
    response={200: ExchangeOut},
    summary="Daten einer Person aus den Registern anfragen (Once-only, mit Protokoll)",
    description=(
        "Die anfragende Dienststelle ist die des API-Tokens. Beantwortet werden nur die Felder, "
        "die die Rechtsgrundlage oder Einwilligung deckt; die übrigen stehen mit Grund in "
        "`withheld`. Jede Anfrage erscheint im Datenschutzcockpit der Person."
    ),
    openapi_extra={"responses": {status: {"description": text} for status, text in _ERRORS.items()}},
)
def exchange(request: HttpRequest, payload: ExchangeIn) -> ExchangeOut:
    token = _office_token(request)
    office = token.office
    assert office is not None  # _office_token refused a token without one
    try:
        answer = services.exchange_request(
            requesting_office=office,
            register_number=payload.register_number,
            fields=payload.fields,
            purpose=payload.purpose,
            legal_basis_id=payload.legal_basis,
            consent_id=payload.consent_id,
            actor=audit.Actor.authority(f"{office.name} (API-Token {token.prefix}…)", str(office.pk)),
        )
    except services.ExchangeRefused as refusal:
        record = refusal.record
        raise Problem(
            refusal.http_status,
            refusal.message,
            code=refusal.code,
            extensions={"exchange_id": record.pk if record else None},
        ) from refusal
    return ExchangeOut(
        exchange_id=answer.record_id,
        register_number=answer.register_number,
        requesting_office=office.slug,
        legal_basis=answer.basis_citation,
        by_consent=payload.consent_id is not None,
        data=answer.data,
        released=list(answer.released),
        withheld=[WithheldOut(**item) for item in answer.withheld],
    )
