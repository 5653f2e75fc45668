"""JSON API of the Terminvergabe, so that other portals can offer booking, and the offices'
specialised software can read their day list.

Reading (services, availability) needs no token. Booking needs an API token with the scope
``appointments:book``: the portal that holds it is accountable for its users and is
throttled per token; its users confirm by e-mail like everyone else. The personal token
returned by a reservation is the only handle on the booking (view, contact, move, cancel);
an unknown or foreign token is 404. A reservation needs an ``Idempotency-Key`` header
(``rathaus.kernel.idempotency``): a retry with the same key gets the same hold, not a second
one. An office's day list needs the scope ``appointments:desk`` and a token owner who works on
matters at that office; for anyone else the office is 404, like one that does not exist, and
every read is recorded with its purpose. Errors are problem+json (RFC 9457).
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import Throttled
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator

from rathaus.api.auth import require_scope
from rathaus.api.types import Text200, Text500
from rathaus.directory import selectors as directory_selectors
from rathaus.directory.types import Service
from rathaus.domain.parse import MAX_ID
from rathaus.kernel import idempotency
from rathaus.kernel.exceptions import InvalidInput, NotFound

from . import protection, selectors, services, tokens
from .day_rows import day_rows
from .forms import DAYS_AHEAD, DAYS_BACK, DESK_DAYS_AHEAD, DESK_DAYS_BACK
from .models import Appointment

router = Router(tags=["Terminvergabe"])

BOOK = "appointments:book"
DESK = "appointments:desk"
DESK_PURPOSE = "Terminabwicklung in der Dienststelle (Tagesliste über die API)"


class ServiceOut(Schema):
    id: int
    leika_key: str
    name: str


class FreeOut(Schema):
    office_id: int
    office_slug: str
    office_name: str
    start: datetime.datetime
    end: datetime.datetime


def _near_day(value: datetime.date) -> datetime.date:
    today = timezone.localdate()
    if not today - datetime.timedelta(days=DAYS_BACK) <= value <= today + datetime.timedelta(days=DAYS_AHEAD):
        raise ValueError(f"muss zwischen {DAYS_BACK} Tagen zurück und {DAYS_AHEAD} Tagen voraus liegen")
    return value


def _near_moment(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:
        return value  # answered below with its own problem (start_without_offset)
    now = timezone.now()
    if not now - datetime.timedelta(days=DAYS_BACK) <= value <= now + datetime.timedelta(days=DAYS_AHEAD):
        raise ValueError(f"muss zwischen {DAYS_BACK} Tagen zurück und {DAYS_AHEAD} Tagen voraus liegen")
    return value


def _desk_day(value: datetime.date) -> datetime.date:
    today = timezone.localdate()
    earliest = today - datetime.timedelta(days=DESK_DAYS_BACK)
    latest = today + datetime.timedelta(days=DESK_DAYS_AHEAD)
    if not earliest <= value <= latest:
        raise ValueError(f"muss zwischen dem {earliest:%d.%m.%Y} und dem {latest:%d.%m.%Y} liegen")
    return value


# A database id (1 to 2^63-1); a day and a moment near today (9999-12-31 is not a booking day).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
NearDay = Annotated[datetime.date, AfterValidator(_near_day)]
NearMoment = Annotated[datetime.datetime, AfterValidator(_near_moment)]
# A day of an office's day list: ten years back (statistics are kept that long), one year ahead.
DeskDay = Annotated[datetime.date, AfterValidator(_desk_day)]


class AvailabilityQuery(Schema):
    service: list[Id] = Field(
        ..., max_length=3, description="Eine oder mehrere Leistungen (IDs) für einen Besuch"
    )
    office: str | None = Field(
        None, max_length=100, description="Slug der Dienststelle; ohne: früheste Termine aller"
    )
    day: NearDay | None = Field(None, description="Nur dieser Tag (mit office)")


class ReservationIn(Schema):
    office_id: Id
    service_ids: list[Id] = Field(..., min_length=1, max_length=3)
    start: NearMoment


class BookingOut(Schema):
    token: str = Field(..., description="Persönliches Token: einziger Zugriff auf die Buchung")
    status: str
    office_id: int
    start: datetime.datetime
    end: datetime.datetime
    held_until: datetime.datetime | None
    code: str | None = Field(None, description="Buchungscode, sobald bestätigt")


class ContactIn(Schema):
    name: Text200
    email: str = Field(..., max_length=254)


class MoveIn(Schema):
    start: NearMoment


def _out(appointment: Appointment) -> BookingOut:
    return BookingOut(
        token=tokens.link_token(appointment),
        status=appointment.status,
        office_id=appointment.office_id,
        start=appointment.start,  # type: ignore[arg-type]  # online bookings always have times
        end=appointment.end,  # type: ignore[arg-type]
        held_until=appointment.held_until,
        code=appointment.code if appointment.status == Appointment.Status.CONFIRMED else None,
    )


def _throttle(request: HttpRequest) -> None:
    wait = protection.rate_limit("lookup", protection.client_address(request))
    if wait:
        raise Throttled(wait=wait)


def _booking(request: HttpRequest, token: str) -> Appointment:
    require_scope(request, BOOK)
    appointment = tokens.appointment_by_link(token)
    if appointment is None:
        raise NotFound("Diese Buchung gibt es nicht.", code="booking_not_found")
    return appointment


@router.get(
    "/appointments/services", response=list[ServiceOut], auth=None, summary="Online buchbare Leistungen"
)
def service_list(request: HttpRequest) -> list[ServiceOut]:
    _throttle(request)
    return [ServiceOut(id=s.pk, leika_key=s.leika_key, name=s.name) for s in selectors.bookable_services()]


@router.get(
    "/appointments/availability",
    response=list[FreeOut],
    auth=None,
    summary="Freie Termine für eine oder mehrere Leistungen",
)
def availability(request: HttpRequest, query: Query[AvailabilityQuery]) -> list[FreeOut] | HttpResponse:
    _throttle(request)
    found = selectors.services_by_ids(query.service)
    if len(found) != len(set(query.service)):
        raise NotFound("Diese Leistung gibt es nicht.", code="service_unknown")
    if query.office:
        office = directory_selectors.office_by_slug(slug=query.office)
        if office is None:
            raise NotFound("Diese Dienststelle gibt es nicht.", code="office_unknown")
        frees = selectors.availability(office=office, services=found, day=query.day, limit=100)
        return [_free_out(f) for f in frees]
    # Across offices: the live answer is asked often and alike, so it is kept as the JSON body
    # itself (selectors.free_cached; decision 0097), the same document the schema describes.
    body = selectors.free_cached("api-json", found, lambda: _across_offices_json(found))
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def _across_offices_json(found: list[Service]) -> bytes:
    frees = selectors.earliest_across_offices(services=found, now=timezone.now())
    return json.dumps([_free_out(f).dict() for f in frees], cls=NinjaJSONEncoder).encode()


def _free_out(free: selectors.Free) -> FreeOut:
    office = free.office
    return FreeOut(
        office_id=office.pk, office_slug=office.slug, office_name=office.name, start=free.start, end=free.end
    )


@router.post(
    "/appointments/reservations",
    response={201: BookingOut},
    summary="Termin reservieren (hält ihn für kurze Zeit; Idempotency-Key)",
    openapi_extra=idempotency.openapi_extra(),
)
def reservation_create(request: HttpRequest, payload: ReservationIn) -> HttpResponse:
    require_scope(request, BOOK)
    office = directory_selectors.office_by_id(office_id=payload.office_id)
    found = selectors.services_by_ids(payload.service_ids)
    if office is None or len(found) != len(set(payload.service_ids)):
        raise NotFound(
            "Diese Leistung wird bei dieser Dienststelle nicht online angeboten.", code="service_not_offered"
        )
    if payload.start.tzinfo is None:
        raise InvalidInput(
            "Der Zeitpunkt braucht eine Zeitzone (ISO 8601 mit Offset).", code="start_without_offset"
        )

    def reserve() -> tuple[int, dict[str, Any]]:
        appointment, _token = services.appointment_reserve(office=office, services=found, start=payload.start)
        # The personal token is not stored with the answer (only its nonce is, on the booking).
        stored = _out(appointment).model_dump(exclude={"token"})
        return 201, {"booking": appointment.pk, **stored}

    return idempotency.idempotent(request, reserve, answer=_with_token)


def _with_token(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored answer of a reservation with the booking's personal token, first and on replay."""
    body = dict(stored)
    appointment = tokens.appointment_by_id(body.pop("booking"))
    if appointment is None:
        raise NotFound("Diese Buchung gibt es nicht.", code="booking_not_found")
    return {"token": tokens.link_token(appointment), **body}


@router.get("/appointments/bookings/{token}", response=BookingOut, summary="Buchung ansehen")
def booking_detail(request: HttpRequest, token: str) -> BookingOut:
    return _out(_booking(request, token))


@router.post(
    "/appointments/bookings/{token}/contact",
    response=BookingOut,
    summary="Name und E-Mail angeben; verschickt den Bestätigungslink",
)
def booking_contact(request: HttpRequest, token: str, payload: ContactIn) -> BookingOut:
    appointment = services.appointment_preconfirm(
        appointment=_booking(request, token), name=payload.name, email=payload.email
    )
    return _out(appointment)


@router.post(
    "/appointments/bookings/{token}/move", response=BookingOut, summary="Bestätigten Termin verschieben"
)
def booking_move(request: HttpRequest, token: str, payload: MoveIn) -> BookingOut:
    return _out(services.appointment_move(appointment=_booking(request, token), start=payload.start))


@router.delete("/appointments/bookings/{token}", response=BookingOut, summary="Buchung stornieren")
def booking_cancel(request: HttpRequest, token: str) -> BookingOut:
    return _out(services.appointment_cancel(appointment=_booking(request, token)))


class DayQuery(Schema):
    date: DeskDay | None = Field(None, description="Der Tag (JJJJ-MM-TT); ohne: heute")
    purpose: Text500 | None = Field(
        None, description=f"Zweck des Abrufs fürs Audit-Protokoll; ohne: „{DESK_PURPOSE}“"
    )


class DayServiceOut(Schema):
    id: int
    leika_key: str
    name: str


class DayItemOut(Schema):
    id: int
    kind: str = Field(..., description="online (gebucht) oder walk_in (ohne Termin)")
    status: str
    status_label: str = Field(..., description="Der Status, wie Beschäftigte ihn lesen")
    start: datetime.datetime | None = Field(None, description="Gebuchter Beginn; ohne bei Wartenummern")
    end: datetime.datetime | None
    counter: str | None = Field(None, description="Schalter (gebucht oder aufgerufen)")
    queue_number: str | None = Field(None, description="Aufrufnummer, sobald angemeldet")
    code: str = Field(..., description="Buchungscode")
    name: str
    services: list[DayServiceOut]


class DayOut(Schema):
    office_slug: str
    office_name: str
    date: datetime.date
    items: list[DayItemOut]


@router.get(
    "/appointments/offices/{slug}/day",
    response=DayOut,
    summary="Tagesliste einer Dienststelle (für Beschäftigte; protokolliert)",
    description="Termine und Wartenummern eines Tages mit Namen und Buchungscodes. Braucht die "
    "Berechtigung `appointments:desk` und ein Token von Beschäftigten der Dienststelle "
    "(Sachbearbeitung oder Leitung); für alle anderen ist die Dienststelle 404. Jeder Abruf wird "
    "mit seinem Zweck im Audit-Protokoll vermerkt.",
)
def office_day(
    request: HttpRequest,
    query: Query[DayQuery],
    slug: str = Path(..., min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$"),
) -> DayOut:
    token = require_scope(request, DESK)
    day = query.date or timezone.localdate()
    office, lists = services.staff_day_list_read(
        slug=slug, day=day, user=token.owner, purpose=(query.purpose or "").strip() or DESK_PURPOSE
    )
    return DayOut(
        office_slug=office.slug,
        office_name=office.name,
        date=day,
        items=[
            DayItemOut(
                id=row.id,
                kind=row.kind,
                status=row.status,
                status_label=row.status_label,
                start=row.start,
                end=row.end,
                counter=row.counter,
                queue_number=row.queue_number,
                code=row.code,
                name=row.name,
                services=[DayServiceOut(id=s.id, leika_key=s.leika_key, name=s.name) for s in row.services],
            )
            for row in day_rows(lists)
        ],
    )
