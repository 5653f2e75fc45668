"""Staff pages of Aussonderung: the office offers, hands over and deletes; the archive evaluates
and confirms. Thin views over ``selectors`` and ``services``."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import NotFound, RathausError
from rathaus.kernel.forms import submit

from . import selectors, services
from .forms import EvaluationForm, OfferForm
from .models import Disposal


def _disposal_or_404(request: HttpRequest, disposal_id: int) -> tuple[Disposal, bool, bool]:
    try:
        return selectors.disposal_for(disposal_id=disposal_id, user=request.user)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _offer_form(request: HttpRequest, data: Any = None) -> OfferForm:
    return OfferForm(data, offices=selectors.office_side(request.user), archives=selectors.archives())


@staff_required
def disposal_list(request: HttpRequest, offer_form: OfferForm | None = None) -> HttpResponse:
    context = {
        "disposals": selectors.disposals_for(request.user)[:200],
        "imports": selectors.imports_for(request.user)[:50],
        "offer_form": offer_form or _offer_form(request),
        "may_offer": selectors.office_side(request.user).exists(),
    }
    return render(request, "efile_archive/list.html", context, status=400 if offer_form else 200)


@staff_required
@require_POST
def disposal_offer(request: HttpRequest) -> HttpResponse:
    form = _offer_form(request, request.POST)
    offered: list[Disposal] = []
    if submit(
        form,
        lambda data: offered.append(
            services.disposal_offer(
                office=data["office"], archive=data["archive"], today=data["reference_date"], by=request.user
            )
        ),
    ):
        return redirect("efile_archive:detail", disposal_id=offered[0].pk)
    return disposal_list(request, offer_form=form)


def _detail(
    request: HttpRequest, disposal: Disposal, as_office: bool, as_archive: bool, **extra: Any
) -> HttpResponse:
    items = list(disposal.items.all())
    context = {
        "disposal": disposal,
        "items": items,
        "as_office": as_office,
        "as_archive": as_archive,
        "package": selectors.package_listing(disposal),
        "evaluation_form": extra.get("evaluation_form") or EvaluationForm(items=items),
        "errors": extra.get("errors") or [],
        "deletable": as_office
        and any(
            i.deleted_at is None and (i.decision == "V" or (i.decision == "A" and i.received)) for i in items
        ),
    }
    return render(request, "efile_archive/detail.html", context, status=400 if extra else 200)


@staff_required
def disposal_detail(request: HttpRequest, disposal_id: int) -> HttpResponse:
    return _detail(request, *_disposal_or_404(request, disposal_id))


@staff_required
@require_POST
def disposal_evaluate(request: HttpRequest, disposal_id: int) -> HttpResponse:
    disposal, as_office, as_archive = _disposal_or_404(request, disposal_id)
    if not as_archive:
        raise Http404("Nur das Archiv bewertet.")
    form = EvaluationForm(request.POST, items=list(disposal.items.all()))
    if submit(
        form,
        lambda _data: services.disposal_evaluate(
            disposal=disposal, decisions=form.decisions(), by=request.user
        ),
    ):
        return redirect("efile_archive:detail", disposal_id=disposal.pk)
    return _detail(request, disposal, as_office, as_archive, evaluation_form=form)


def _step(request: HttpRequest, disposal_id: int, *, archive: bool, action: Any) -> HttpResponse:
    disposal, as_office, as_archive = _disposal_or_404(request, disposal_id)
    if not (as_archive if archive else as_office):
        raise Http404("Diesen Schritt darf nur die andere Seite ausführen.")
    try:
        action(disposal=disposal, by=request.user)
    except RathausError as exc:
        return _detail(request, disposal, as_office, as_archive, errors=[str(exc)])
    return redirect("efile_archive:detail", disposal_id=disposal.pk)


@staff_required
@require_POST
def disposal_transfer(request: HttpRequest, disposal_id: int) -> HttpResponse:
    return _step(request, disposal_id, archive=False, action=services.disposal_transfer)


@staff_required
@require_POST
def disposal_receipt(request: HttpRequest, disposal_id: int) -> HttpResponse:
    return _step(request, disposal_id, archive=True, action=services.disposal_receipt_confirm)


@staff_required
@require_POST
def disposal_delete(request: HttpRequest, disposal_id: int) -> HttpResponse:
    return _step(request, disposal_id, archive=False, action=services.disposal_delete)


@staff_required  # type: ignore[arg-type]  # a FileResponse streams; the decorator passes it through
def disposal_download(request: HttpRequest, disposal_id: int, kind: str) -> FileResponse:
    disposal, _as_office, _as_archive = _disposal_or_404(request, disposal_id)
    blob = getattr(disposal, services.DOWNLOADS[kind]) if kind in services.DOWNLOADS else None
    if blob is None:
        raise Http404("Diese Datei gibt es (noch) nicht.")
    services.disposal_downloaded(
        disposal=disposal,
        kind=kind,
        blob=blob,
        by=request.user,  # type: ignore[arg-type]  # staff_required: a logged-in user
    )
    return FileResponse(
        blobs.open_blob(blob), as_attachment=True, filename=blob.filename, content_type=blob.content_type
    )
