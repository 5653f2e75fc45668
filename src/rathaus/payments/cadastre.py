"""The first product: extracts from the Liegenschaftskarte (cadastral map), paid online.

Kept as a module of the payments app (decision 0091): it is the first consumer of the
payment flow and owns only two tables (``Parcel``, ``MapExtractOrder``). The parcels are
synthetic (``rathaus.domain.cadastre.parcels``). When an order's claim is paid the extract
PDF and a receipt are generated, the order is filed as a case in the E-Akte through
``efile.services`` and the receipt goes to the citizen's postbox.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.domain.cadastre.parcels import area, generate_flur
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.money import format_eur

from . import conf, pdfs, services
from .models import Claim, MapExtractOrder, Parcel, Payment

logger = logging.getLogger(__name__)

TARIFF_KEY = "liegenschaftskarte-auszug"
FILE_PLAN = (
    ("62", "Vermessung und Geoinformation", 10),
    ("62.10", "Auszüge aus dem Liegenschaftskataster", None),
)
GEMARKUNGEN = (("Altstadt", 1, 6, 8), ("Findorff", 3, 6, 8), ("Vegesack", 12, 5, 7))


def parcels_ensure(*, seed: int = 2026) -> int:
    """Create the synthetic parcels where missing; returns how many exist."""
    created = []
    for gemarkung, flur, rows, cols in GEMARKUNGEN:
        if Parcel.objects.filter(gemarkung=gemarkung, flur=flur).exists():
            continue
        for shape in generate_flur(seed=f"{seed}-{gemarkung}-{flur}", rows=rows, cols=cols):
            created.append(
                Parcel(
                    gemarkung=gemarkung,
                    flur=flur,
                    number=shape.number,
                    row=shape.row,
                    col=shape.col,
                    polygon=[list(p) for p in shape.polygon],
                    area_m2=round(area(shape.polygon)),
                    land_use=shape.land_use,
                )
            )
    Parcel.objects.bulk_create(created, ignore_conflicts=True)
    return Parcel.objects.count()


def neighbours(parcel: Parcel) -> list[Parcel]:
    """Parcels sharing an edge with ``parcel`` (same Flur, adjacent grid cell)."""
    around = Q(row=parcel.row - 1, col=parcel.col) | Q(row=parcel.row + 1, col=parcel.col)
    around |= Q(row=parcel.row, col=parcel.col - 1) | Q(row=parcel.row, col=parcel.col + 1)
    return list(Parcel.objects.filter(gemarkung=parcel.gemarkung, flur=parcel.flur).filter(around))


def _office() -> Any:
    from rathaus.directory.selectors import office_by_slug

    office = office_by_slug(slug=conf.cadastre_office_slug())
    if office is None:
        raise NotFound("Die Geoinformationsstelle ist nicht eingerichtet.", code="cadastre_office")
    return office


@transaction.atomic
def order_create(*, parcel: Parcel, citizen: Any) -> MapExtractOrder:
    """Order an extract: creates the claim (fee from the schedule); payment comes next."""
    open_order = MapExtractOrder.objects.filter(
        parcel=parcel, citizen=citizen, status=MapExtractOrder.Status.AWAITING_PAYMENT
    ).first()
    if open_order is not None:
        return open_order  # a repeated submit continues the same order
    claim = services.claim_create(
        office=_office(),
        purpose=f"Auszug Liegenschaftskarte, {parcel}"[:200],
        debtor_name=citizen.full_name,
        debtor=citizen,
        tariff_key=TARIFF_KEY,
        by=citizen,
    )
    order = MapExtractOrder.objects.create(parcel=parcel, citizen=citizen, claim=claim)
    audit.record(
        actor=citizen, action="payments.map_order_created", target=order, details={"parcel": parcel.pk}
    )
    return order


def _file_plan_entry() -> Any:
    from rathaus.efile import services as efile_services
    from rathaus.efile.models import FilePlanEntry

    entries = {
        e.number: e
        for e in FilePlanEntry.objects.filter(office__isnull=True, number__in=[n for n, *_ in FILE_PLAN])
    }
    for number, title, years in FILE_PLAN:
        if number not in entries:
            entries[number] = efile_services.file_plan_entry_create(
                number=number,
                title=title,
                parent=entries.get(number.rpartition(".")[0]) if "." in number else None,
                retention_years=years,
                files_allowed="." in number,
            )
    return entries["62.10"]


def order_fulfil_for_claim(*, claim_id: int) -> MapExtractOrder | None:
    order = MapExtractOrder.objects.filter(claim_id=claim_id).first()
    return order_fulfil(order=order) if order is not None else None


@transaction.atomic
def order_fulfil(*, order: MapExtractOrder) -> MapExtractOrder:
    """Generate the extract and the receipt, file the case, post the receipt (once)."""
    from rathaus.efile import services as efile_services

    order = (
        MapExtractOrder.objects.select_for_update()
        .select_related("parcel", "claim", "citizen")
        .get(pk=order.pk)
    )
    if order.status == MapExtractOrder.Status.FULFILLED:
        return order
    claim = order.claim
    if claim.status != Claim.Status.PAID:
        raise Conflict("Die Gebühr ist noch nicht bezahlt.", code="not_paid")
    payment = claim.payments.filter(status=Payment.Status.PAYED).order_by("-paid_at", "-id").first()
    ref = f"KZ {claim.display_kassenzeichen}"
    extract = pdfs.map_extract_pdf(parcel=order.parcel, neighbours=neighbours(order.parcel), order_ref=ref)
    receipt = pdfs.receipt_pdf(claim=claim, payment=payment)
    order.extract = blobs.store(content=extract, filename=f"liegenschaftskarte-{claim.kassenzeichen}.pdf")
    order.receipt = blobs.store(content=receipt, filename=f"quittung-{claim.kassenzeichen}.pdf")
    office = claim.office
    case = efile_services.case_create(
        office=office,
        subject=f"Auszug Liegenschaftskarte – {order.parcel}"[:300],
        file_plan_entry=_file_plan_entry(),
        source="payments",
        person=getattr(order.citizen, "person", None),
    )
    efile_services.document_add(
        case=case, title="Auszug aus der Liegenschaftskarte", content=extract,
        filename=f"liegenschaftskarte-{claim.kassenzeichen}.pdf", by=None, direction="outgoing",
    )  # fmt: skip
    efile_services.document_add(
        case=case, title="Quittung", content=receipt, filename=f"quittung-{claim.kassenzeichen}.pdf",
        by=None, direction="outgoing",
    )  # fmt: skip
    order.case_id = case.pk
    order.status = MapExtractOrder.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["extract", "receipt", "case_id", "status", "fulfilled_at"])
    notify.postbox_send(
        recipient=order.citizen,
        subject=f"Quittung und Auszug aus der Liegenschaftskarte ({ref})",
        body=(
            "Guten Tag,\n\nvielen Dank für Ihre Zahlung über "
            f"{format_eur(payment.amount if payment else Decimal(0), 'de')} "
            f"zum Kassenzeichen {claim.display_kassenzeichen}. Im Anhang finden Sie die Quittung und den "
            f"Auszug aus der Liegenschaftskarte für {order.parcel}.\n"
        ),
        sender_label=office.name,
        attachments=[
            (f"quittung-{claim.kassenzeichen}.pdf", order.receipt),
            (f"liegenschaftskarte-{claim.kassenzeichen}.pdf", order.extract),
        ],
    )
    audit.record(actor=None, action="payments.map_order_fulfilled", target=order, details={"case": case.pk})
    return order
