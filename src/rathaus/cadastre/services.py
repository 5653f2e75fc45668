"""Writes of the cadastral map extract: the synthetic parcels, orders, and the delivery of a
paid order (the extract PDF and the receipt, the case in the E-Akte, the postbox message).

The fee is a claim of E-Payment naming the product ``PRODUCT``; once it is paid, payments
calls ``order_fulfil_for_claim`` from a retried background task (decision 0093).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.directory.selectors import office_by_slug
from rathaus.directory.types import Office
from rathaus.domain.cadastre.parcels import area, generate_flur
from rathaus.efile import services as efile_services
from rathaus.efile.types import FilePlanEntry
from rathaus.kernel import audit, blobs, notify
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.money import format_eur
from rathaus.kernel.tasks import NoRetry
from rathaus.payments import selectors as payment_selectors
from rathaus.payments import services as payment_services
from rathaus.payments.types import Claim, Receipt

from . import conf, pdfs
from .models import MapExtractOrder, Parcel
from .selectors import neighbours

__all__ = [
    "PRODUCT",
    "TARIFF_KEY",
    "OrderMissing",
    "order_create",
    "order_fulfil",
    "order_fulfil_for_claim",
    "parcels_ensure",
]

PRODUCT = conf.PRODUCT
TARIFF_KEY = conf.TARIFF_KEY
FILE_PLAN = (
    ("62", "Vermessung und Geoinformation", 10),
    ("62.10", "Auszüge aus dem Liegenschaftskataster", None),
)
GEMARKUNGEN = (("Altstadt", 1, 6, 8), ("Findorff", 3, 6, 8), ("Vegesack", 12, 5, 7))


class OrderMissing(NotFound, NoRetry):
    """A paid claim of this product without its order: trying again cannot help."""

    default_code = "map_order_missing"


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


def _office() -> Office:
    office = office_by_slug(slug=conf.office_slug())
    if office is None:
        raise NotFound("Die Geoinformationsstelle ist nicht eingerichtet.", code="cadastre_office")
    return office


@transaction.atomic
def order_create(*, parcel: Parcel, citizen: User) -> MapExtractOrder:
    """Order an extract: creates the claim (fee from the schedule); payment comes next."""
    open_order = MapExtractOrder.objects.filter(
        parcel=parcel, citizen=citizen, status=MapExtractOrder.Status.AWAITING_PAYMENT
    ).first()
    if open_order is not None:
        return open_order  # a repeated submit continues the same order
    claim = payment_services.claim_create(
        office=_office(),
        purpose=f"Auszug Liegenschaftskarte, {parcel}"[:200],
        debtor_name=citizen.full_name,
        debtor=citizen,
        tariff_key=TARIFF_KEY,
        product=PRODUCT,
        by=citizen,
    )
    order = MapExtractOrder.objects.create(parcel=parcel, citizen=citizen, claim=claim)
    audit.record(actor=citizen, action="cadastre.order_created", target=order, details={"parcel": parcel.pk})
    return order


def _file_plan_entry(office: Office) -> FilePlanEntry:
    """The file plan entry 62.10 that applies to ``office``; city-wide entries are created if missing."""
    (top_number, top_title, top_years), (number, title, _years) = FILE_PLAN
    return efile_services.file_plan_entry_ensure(
        office=office, number=number, title=title, parent_number=top_number, parent_title=top_title,
        parent_retention_years=top_years,
    )  # fmt: skip


def order_fulfil_for_claim(*, claim_id: int) -> MapExtractOrder:
    """Deliver the order paid by claim ``claim_id`` (registered with payments as ``fulfil``)."""
    order = MapExtractOrder.objects.filter(claim_id=claim_id).first()
    if order is None:
        raise OrderMissing("Zu dieser Forderung gibt es keine Bestellung eines Auszugs.")
    return order_fulfil(order=order)


def _file_case(order: MapExtractOrder, extract: bytes, receipt: Receipt) -> int:
    """File the order with the extract and the receipt as a case in the E-Akte; its id."""
    claim = order.claim
    case = efile_services.case_create(
        office=claim.office,
        subject=f"Auszug Liegenschaftskarte – {order.parcel}"[:300],
        file_plan_entry=_file_plan_entry(claim.office),
        source="payments",
        person=getattr(order.citizen, "person", None),
    )
    efile_services.document_add(
        case=case, title="Auszug aus der Liegenschaftskarte", content=extract,
        filename=f"liegenschaftskarte-{claim.kassenzeichen}.pdf", by=None, direction="outgoing",
    )  # fmt: skip
    efile_services.document_add(
        case=case, title="Quittung", content=receipt.pdf, filename=receipt.filename,
        by=None, direction="outgoing",
    )  # fmt: skip
    return int(case.pk)


def _send_receipt(order: MapExtractOrder, receipt: Receipt, files: tuple[blobs.Blob, blobs.Blob]) -> None:
    """Post the receipt and the extract (``files``: their stored blobs) to the citizen's postbox."""
    claim = order.claim
    notify.postbox_send(
        recipient=order.citizen,
        subject=f"Quittung und Auszug aus der Liegenschaftskarte (KZ {claim.display_kassenzeichen})",
        body=(
            f"Guten Tag,\n\nvielen Dank für Ihre Zahlung über {format_eur(receipt.amount, 'de')} "
            f"zum Kassenzeichen {claim.display_kassenzeichen}. Im Anhang finden Sie die Quittung und den "
            f"Auszug aus der Liegenschaftskarte für {order.parcel}.\n"
        ),
        sender_label=claim.office.name,
        attachments=[
            (receipt.filename, files[0]),
            (f"liegenschaftskarte-{claim.kassenzeichen}.pdf", files[1]),
        ],
    )


def order_fulfil(*, order: MapExtractOrder) -> MapExtractOrder:
    """Generate the extract and the receipt, file the case, post the receipt (once).

    The PDFs are drawn and stored before the transaction that files the case and takes the
    audit lock; a delivery that another run finished meanwhile is left as it is.
    """
    order = MapExtractOrder.objects.select_related("parcel", "claim", "claim__office").get(pk=order.pk)
    if order.status == MapExtractOrder.Status.FULFILLED:
        return order
    claim = order.claim
    receipt = payment_selectors.claim_receipt(claim=claim)
    if claim.status != Claim.Status.PAID or receipt is None:
        raise Conflict("Die Gebühr ist noch nicht bezahlt.", code="not_paid")
    extract = pdfs.map_extract_pdf(
        parcel=order.parcel,
        neighbours=neighbours(order.parcel),
        order_ref=f"KZ {claim.display_kassenzeichen}",
        office_name=claim.office.name,
    )
    stored = (
        blobs.store(content=receipt.pdf, filename=receipt.filename),
        blobs.store(content=extract, filename=f"liegenschaftskarte-{claim.kassenzeichen}.pdf"),
    )
    return _deliver(order.pk, extract, receipt, stored)


@transaction.atomic
def _deliver(
    order_id: int, extract: bytes, receipt: Receipt, stored: tuple[blobs.Blob, blobs.Blob]
) -> MapExtractOrder:
    order = (
        MapExtractOrder.objects.select_for_update()
        .select_related("parcel", "claim", "claim__office", "citizen")
        .get(pk=order_id)
    )
    if order.status == MapExtractOrder.Status.FULFILLED:
        return order  # another run was faster
    order.receipt, order.extract = stored
    order.case_id = _file_case(order, extract, receipt)
    order.status = MapExtractOrder.Status.FULFILLED
    order.fulfilled_at = timezone.now()
    order.save(update_fields=["extract", "receipt", "case_id", "status", "fulfilled_at"])
    _send_receipt(order, receipt, stored)
    audit.record(actor=None, action="cadastre.order_fulfilled", target=order, details={"case": order.case_id})
    return order
