"""The citizen's consents, Datenschutzcockpit and proactive offers in "Mein Konto" (``/mein-konto/…``).

Thin: check that a citizen with a register person asks, call one selector or service with that
person (never an id from the request for whose data it is), render. A consent or offer id in
the address is looked up among the person's own only, so another person's is 404.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts.decorators import citizen_account_required
from rathaus.accounts.types import User
from rathaus.kernel.exceptions import NotFound, RathausError

from . import selectors, services
from .art15 import art15_export
from .art15_pdf import art15_pdf as render_art15_pdf
from .cockpit_pdf import cockpit_pdf as render_cockpit_pdf

View = Callable[..., HttpResponse]
_citizen_only = citizen_account_required(refused_template="portal/account_no_person.html")


def _person_required(view: View) -> View:
    """A citizen account linked to a register person (else the "not for you" page, 403)."""

    @_citizen_only
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request.user, "person_id", None) is None:
            return render(request, "portal/account_no_person.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _citizen(request: HttpRequest) -> User:
    """The logged-in citizen (``_person_required`` lets only those in)."""
    return cast(User, request.user)


def _person_id(request: HttpRequest) -> int:
    """The citizen's register person: whose data the pages show, never an id from the request."""
    return int(_citizen(request).person_id)  # type: ignore[arg-type]


def _consents_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    person_id = _person_id(request)
    return render(
        request,
        "registers/consents.html",
        {
            "consents": selectors.consents_of(person_id=person_id),
            "offers": selectors.consent_offers(person_id=person_id),
            "error": error,
        },
        status=status,
    )


@require_GET
@_person_required
def consents(request: HttpRequest) -> HttpResponse:
    return _consents_page(request)


@require_POST
@_person_required
def consent_give(request: HttpRequest) -> HttpResponse:
    try:
        consent = services.consent_give(
            person_id=_person_id(request),
            basis_id=request.POST.get("basis_id", ""),
            categories=request.POST.getlist("categories"),
            by=_citizen(request),
        )
    except RathausError as error:
        return _consents_page(request, error=error.message, status=422)
    messages.success(request, _("Ihre Einwilligung ist erteilt: %(purpose)s") % {"purpose": consent.purpose})
    return redirect("registers:consents")


@require_POST
@_person_required
def consent_withdraw(request: HttpRequest, consent_id: int) -> HttpResponse:
    try:
        services.consent_withdraw(consent_id=consent_id, person_id=_person_id(request), by=_citizen(request))
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(
        request,
        _("Ihre Einwilligung ist widerrufen. Es werden keine Daten mehr auf ihrer Grundlage übermittelt."),
    )
    return redirect("registers:consents")


@require_GET
@_person_required
def cockpit(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "registers/cockpit.html",
        {"exchanges": selectors.exchanges_of(person_id=_person_id(request))},
    )


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _filename(extension: str) -> str:
    return f"datenschutzcockpit-{timezone.localdate().isoformat()}.{extension}"


@require_GET
@_person_required
def cockpit_json(request: HttpRequest) -> HttpResponse:
    export = selectors.cockpit_export(person_id=_person_id(request))
    body = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    return _download(body, "application/json; charset=utf-8", _filename("json"))


@require_GET
@_person_required
def cockpit_pdf(request: HttpRequest) -> HttpResponse:
    person_id = _person_id(request)
    overview = selectors.own_person_overview(person_id=person_id)
    with translation.override("de"):  # the PDF is German whatever the page language
        export = selectors.cockpit_export(person_id=person_id)
    return _download(
        render_cockpit_pdf(export=export, name=overview.name), "application/pdf", _filename("pdf")
    )


def _art15_filename(extension: str) -> str:
    return f"meine-daten-art15-{timezone.localdate().isoformat()}.{extension}"


@require_GET
@_person_required
def art15_json(request: HttpRequest) -> HttpResponse:
    """Everything Rathaus holds about the citizen (Art. 15 Abs. 3 DSGVO), as JSON."""
    export = art15_export(user=_citizen(request))
    body = json.dumps(export, ensure_ascii=False, indent=2).encode("utf-8")
    return _download(body, "application/json; charset=utf-8", _art15_filename("json"))


@require_GET
@_person_required
def art15_pdf(request: HttpRequest) -> HttpResponse:
    with translation.override("de"):  # the PDF is German whatever the page language
        export = art15_export(user=_citizen(request))
        content = render_art15_pdf(export=export)
    return _download(content, "application/pdf", _art15_filename("pdf"))


@require_GET
@_person_required
def offers(request: HttpRequest) -> HttpResponse:
    """The citizen's proactive offers ("Sie haben wahrscheinlich Anspruch auf …")."""
    return render(
        request, "registers/offers.html", {"offers": selectors.offers_of(person_id=_person_id(request))}
    )


@require_POST
@_person_required
def offer_accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        offer = services.offer_accept(offer_id=offer_id, person_id=_person_id(request), by=_citizen(request))
    except NotFound as error:
        raise Http404(error.message) from error
    except RathausError as error:
        messages.error(request, error.message)
        return redirect("registers:offers")
    messages.success(
        request,
        _("Angenommen. Die zuständige Stelle bearbeitet Ihr Anliegen unter dem Aktenzeichen %(az)s.")
        % {"az": offer.aktenzeichen},
    )
    return redirect("registers:offers")


@require_POST
@_person_required
def offer_decline(request: HttpRequest, offer_id: int) -> HttpResponse:
    try:
        services.offer_decline(offer_id=offer_id, person_id=_person_id(request), by=_citizen(request))
    except NotFound as error:
        raise Http404(error.message) from error
    except RathausError as error:
        messages.error(request, error.message)
        return redirect("registers:offers")
    messages.success(request, _("Sie haben das Angebot abgelehnt."))
    return redirect("registers:offers")
