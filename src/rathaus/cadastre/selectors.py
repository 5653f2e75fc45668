"""Reads of the cadastral map extract: parcels (public record), the fee, and a citizen's own
orders (anyone else's is "not found")."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.urls import reverse

from rathaus.accounts.types import User
from rathaus.domain.payments.fees import FeeResult
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound, RathausError
from rathaus.payments import services as payment_services
from rathaus.payments.types import FeeTariff

from . import conf
from .models import MapExtractOrder, Parcel

__all__ = [
    "extract_fee",
    "gemarkungen",
    "neighbours",
    "order_of_citizen",
    "order_page_for_claim",
    "parcel_by_id",
    "parcels_search",
]


def gemarkungen() -> list[str]:
    """The Gemarkungen that have parcels, by name."""
    return list(Parcel.objects.values_list("gemarkung", flat=True).distinct().order_by("gemarkung"))


def parcels_search(*, gemarkung: str = "", number: int | None = None) -> QuerySet[Parcel]:
    """Parcels, optionally of one Gemarkung and with one number."""
    rows = Parcel.objects.all()
    if gemarkung:
        rows = rows.filter(gemarkung=gemarkung)
    if number:
        rows = rows.filter(number=number)
    return rows


def parcel_by_id(parcel_id: int) -> Parcel | None:
    return Parcel.objects.filter(pk=parcel_id).first()


def neighbours(parcel: Parcel) -> list[Parcel]:
    """Parcels sharing an edge with ``parcel`` (same Flur, adjacent grid cell)."""
    around = Q(row=parcel.row - 1, col=parcel.col) | Q(row=parcel.row + 1, col=parcel.col)
    around |= Q(row=parcel.row, col=parcel.col - 1) | Q(row=parcel.row, col=parcel.col + 1)
    return list(Parcel.objects.filter(gemarkung=parcel.gemarkung, flur=parcel.flur).filter(around))


def extract_fee() -> tuple[FeeTariff, FeeResult] | None:
    """Today's tariff of the extract and its fee; None if the fee schedule has none."""
    try:
        return payment_services.fee_quote(key=conf.TARIFF_KEY)
    except RathausError:
        return None


def order_of_citizen(*, user: User | AnonymousUser, order_id: int) -> MapExtractOrder:
    """``user``'s order ``order_id``; anyone else's is not found (and the attempt recorded)."""
    order = (
        MapExtractOrder.objects.select_related("parcel", "claim").filter(pk=order_id, citizen=user.pk).first()
        if user.is_authenticated
        else None
    )
    if order is None:
        audit.record_denied(
            actor=user if isinstance(user, User) else None,
            target_type="cadastre.mapextractorder",
            target_id=order_id,
            reason="not owner",
        )
        raise NotFound("Diese Bestellung gibt es nicht.")
    return order


def order_page_for_claim(*, claim_id: int) -> str | None:
    """The order page of the order paid by claim ``claim_id`` (registered with payments as ``page``)."""
    order_id = MapExtractOrder.objects.filter(claim_id=claim_id).values_list("pk", flat=True).first()
    return reverse("cadastre:order", args=[order_id]) if order_id is not None else None
