"""The routing table: which authority receives the invoices of a Leitweg-ID (or of its beginning).

``selectors.route_for`` reads it; these services change it, each line with its validity.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.einvoice.routing import RoutePatternInvalid, check_prefix
from rathaus.domain.registers.leitweg_id import InvalidLeitwegId, validate_leitweg_id
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict, InvalidInput

from ..models import LeitwegRoute
from .common import Actor


def _pattern(pattern: str, match: str) -> str:
    try:
        if match == LeitwegRoute.Match.EXACT:
            return validate_leitweg_id(pattern)
        if match == LeitwegRoute.Match.PREFIX:
            return check_prefix(pattern)
    except (InvalidLeitwegId, RoutePatternInvalid) as exc:
        raise InvalidInput(str(exc), code="route_pattern") from exc
    raise InvalidInput(f"Unbekannte Vergleichsart: {match}", code="route_match")


def _check_validity(
    *,
    pattern: str,
    match: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude: int | None,
) -> None:
    if valid_until is not None and valid_until < valid_from:
        raise InvalidInput("„Gültig bis“ liegt vor „gültig ab“.", code="route_validity")
    # Serialise edits of one pattern (SQLite's IMMEDIATE transaction already does).
    same = LeitwegRoute.objects.select_for_update().filter(pattern=pattern, match=match)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    overlapping = same.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_until)
    clash = overlapping.select_related("office").first()
    if clash is not None:
        raise Conflict(
            f"Für „{pattern}“ gilt in diesem Zeitraum schon eine Route (an {clash.office.name}, "
            f"ab {clash.valid_from:%d.%m.%Y}); bitte beenden Sie diese zuerst.",
            code="route_overlap",
        )


def route_validate(
    *,
    pattern: str,
    match: str,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    exclude: int | None = None,
) -> str:
    """The normalised pattern, or ``InvalidInput``/``Conflict`` as ``route_create`` would raise."""
    pattern = _pattern(pattern, match)
    _check_validity(
        pattern=pattern, match=match, valid_from=valid_from, valid_until=valid_until, exclude=exclude
    )
    return pattern


def _route_details(route: LeitwegRoute) -> dict[str, Any]:
    return {
        "pattern": route.pattern,
        "match": route.match,
        "office": route.office_id,
        "valid_from": route.valid_from,
        "valid_until": route.valid_until,
        "note": route.note,
    }


@transaction.atomic
def route_create(
    *,
    pattern: str,
    match: str,
    office: Office,
    valid_from: datetime.date,
    valid_until: datetime.date | None = None,
    note: str = "",
    by: Actor = None,
) -> LeitwegRoute:
    """Add a line to the routing table: ``pattern`` (a Leitweg-ID or its beginning) → ``office``."""
    pattern = _pattern(pattern, match)
    _check_validity(
        pattern=pattern, match=match, valid_from=valid_from, valid_until=valid_until, exclude=None
    )
    route = LeitwegRoute.objects.create(
        pattern=pattern,
        match=match,
        office=office,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note.strip()[:300],
        created_by=by if isinstance(by, User) else None,
    )
    audit.record(actor=by, action="einvoice.route_created", target=route, details=_route_details(route))
    return route


@transaction.atomic
def route_update(
    *,
    route: LeitwegRoute,
    office: Office,
    valid_from: datetime.date,
    valid_until: datetime.date | None,
    note: str = "",
    by: Actor = None,
) -> LeitwegRoute:
    """Change a route's authority, validity or note (the pattern stays; add a new route for another)."""
    route = LeitwegRoute.objects.select_for_update().get(pk=route.pk)
    before = _route_details(route)
    _check_validity(
        pattern=route.pattern,
        match=route.match,
        valid_from=valid_from,
        valid_until=valid_until,
        exclude=route.pk,
    )
    route.office = office
    route.valid_from = valid_from
    route.valid_until = valid_until
    route.note = note.strip()[:300]
    route.save(update_fields=["office", "valid_from", "valid_until", "note"])
    audit.record(
        actor=by,
        action="einvoice.route_changed",
        target=route,
        details={"before": before, "after": _route_details(route)},
    )
    return route
