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

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from rathaus.accounts.types import ApiToken
from rathaus.api.auth import require_scope
from rathaus.api.problems import Problem
from rathaus.api.types import Text100, Text500
from rathaus.kernel import audit

from . import exchange_desk, services

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


class PendingOut(Schema):
    exchange_id: int
    status: str = Field(..., description="`pending`: die Registerbehörde entscheidet über die Anfrage.")
    status_url: str = Field(
        ..., description="Adresse, unter der die anfragende Dienststelle das Ergebnis abruft."
    )
    deciding_office: str


class StatusOut(Schema):
    exchange_id: int
    status: str = Field(..., description="`answered`, `refused` oder `pending`.")
    register_number: str
    requesting_office: str
    legal_basis: str
    by_consent: bool
    created_at: str
    decided_at: str | None
    data: dict[str, Any] | None = Field(
        None,
        description="Die nach Prüfung freigegebenen Daten; bei sofort beantworteten Anfragen stand "
        "die Antwort schon in der Antwort auf den POST und wird nicht noch einmal ausgeliefert.",
    )
    released: list[str]
    withheld: list[WithheldOut]
    refusal_code: str
    refusal_reason: str


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
    response={200: ExchangeOut, 202: PendingOut},
    summary="Daten einer Person aus den Registern anfragen (Once-only, mit Protokoll)",
    description=(
        "Die anfragende Dienststelle ist die des API-Tokens. Beantwortet werden nur die Felder, "
        "die die Rechtsgrundlage oder Einwilligung deckt; die übrigen stehen mit Grund in "
        "`withheld`. Jede Anfrage erscheint im Datenschutzcockpit der Person. Verlangt die "
        "Rechtsgrundlage eine Prüfung im Einzelfall, antwortet Rathaus mit 202, `status: pending` "
        "und der Statusadresse (`status_url`, auch im Header `Location`); die Registerbehörde gibt "
        "die Anfrage frei oder lehnt sie ab."
    ),
    openapi_extra={"responses": {status: {"description": text} for status, text in _ERRORS.items()}},
)
def exchange(
    request: HttpRequest, response: HttpResponse, payload: ExchangeIn
) -> ExchangeOut | Status[PendingOut]:
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
    if answer.pending_at:
        url = request.build_absolute_uri(f"/api/v1/registers/exchange/{answer.record_id}")
        response["Location"] = url
        return Status(
            202,
            PendingOut(
                exchange_id=answer.record_id,
                status="pending",
                status_url=url,
                deciding_office=answer.pending_at,
            ),
        )
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


def _moment(value: Any) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


@router.get(
    "/registers/exchange/{exchange_id}",
    response={200: StatusOut},
    summary="Stand einer Registeranfrage abrufen (auch das Ergebnis einer Prüfung)",
    description=(
        "Nur mit dem Token der Dienststelle, die angefragt hat; die Anfrage einer anderen "
        "Dienststelle ist 404 (`exchange_unknown`). Nach der Freigabe stehen die Daten in `data`."
    ),
    openapi_extra={
        "responses": {
            401: {"description": _ERRORS[401]},
            403: {"description": "Scope `registers:exchange` fehlt oder Token ohne Dienststelle."},
            404: {"description": "Keine Anfrage dieser Dienststelle mit dieser Nummer (`exchange_unknown`)."},
        }
    },
)
def exchange_status(request: HttpRequest, exchange_id: int) -> StatusOut:
    token = _office_token(request)
    assert token.office is not None  # _office_token refused a token without one
    record = None
    if 1 <= exchange_id <= 2**63 - 1:
        record = exchange_desk.exchange_of_office(exchange_id=exchange_id, office_id=token.office.pk)
    if record is None:
        raise Problem(
            404, "Ihre Dienststelle hat keine Anfrage mit dieser Nummer gestellt.", code="exchange_unknown"
        )
    return StatusOut(
        exchange_id=record.pk,
        status=record.outcome,
        register_number=record.person.register_number if record.person else record.person_ref,
        requesting_office=token.office.slug,
        legal_basis=record.basis_citation,
        by_consent=record.consent_id is not None,
        created_at=_moment(record.created_at) or "",
        decided_at=_moment(record.decided_at),
        data=record.released_data if record.outcome == "answered" and record.deciding_office_id else None,
        released=list(record.fields_released),
        withheld=[WithheldOut(**item) for item in record.fields_withheld],
        refusal_code=record.refusal_code,
        refusal_reason=record.refusal_reason,
    )
