"""Pages of the cadastral map extract: the parcels (public), the order, and the delivered
extract. Thin: parse, authorise, call one service or selector. Paying happens on the pages
of E-Payment (``payments:pay``)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rathaus.accounts.decorators import citizen_account_required
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import NotFound

from . import drawing, selectors, services
from .forms import ParcelSearchForm
from .models import MapExtractOrder, Parcel

citizen_only = citizen_account_required(refused_template="cadastre/citizens_only.html")


def _fee_context() -> dict[str, Any]:
    quote = selectors.extract_fee()
    return {"tariff": quote[0], "fee": quote[1]} if quote else {"tariff": None, "fee": None}


def _parcel(parcel_id: int) -> Parcel:
    parcel = selectors.parcel_by_id(parcel_id)
    if parcel is None:
        raise Http404(_("Dieses Flurstück gibt es nicht."))
    return parcel


def parcels(request: HttpRequest) -> HttpResponse:
    form = ParcelSearchForm(request.GET or None, gemarkungen=selectors.gemarkungen())
    rows = selectors.parcels_search()
    if form.is_valid():
        rows = selectors.parcels_search(
            gemarkung=form.cleaned_data["gemarkung"], number=form.cleaned_data["number"]
        )
    return render(request, "cadastre/parcels.html", {"form": form, "parcels": rows[:60], **_fee_context()})


def parcel_detail(request: HttpRequest, parcel_id: int) -> HttpResponse:
    parcel = _parcel(parcel_id)
    around = selectors.neighbours(parcel)
    svg = drawing.parcel_map_svg(
        parcel=parcel,
        neighbours=around,
        title=_("Karte: Flurstück %(n)s mit Nachbarflurstücken") % {"n": parcel.number},
    )
    context = {"parcel": parcel, "neighbours": around, "map_svg": svg, **_fee_context()}
    return render(request, "cadastre/parcel_detail.html", context)


@citizen_only
@require_http_methods(["GET", "POST"])
def order_create(request: HttpRequest, parcel_id: int) -> HttpResponse:
    """GET: the order to confirm (where a login returns to); POST: order it."""
    parcel = _parcel(parcel_id)
    if request.method != "POST":
        return render(request, "cadastre/order_confirm.html", {"parcel": parcel, **_fee_context()})
    order = services.order_create(parcel=parcel, citizen=request.user)  # type: ignore[arg-type]  # citizen_only
    return redirect("cadastre:order", order_id=order.pk)


def _order(request: HttpRequest, order_id: int) -> MapExtractOrder:
    try:
        return selectors.order_of_citizen(user=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@citizen_only
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    order = _order(request, order_id)
    return render(request, "cadastre/order_detail.html", {"order": order, "claim": order.claim})


@citizen_only
def order_file(request: HttpRequest, order_id: int, which: str) -> HttpResponse:
    order = _order(request, order_id)
    blob = order.extract if which == "auszug" else order.receipt
    if blob is None:
        raise Http404(_("Das Dokument ist noch nicht bereit."))
    return FileResponse(  # type: ignore[return-value]  # streams; a response all the same
        blobs.open_blob(blob), as_attachment=True, filename=blob.filename, content_type="application/pdf"
    )
