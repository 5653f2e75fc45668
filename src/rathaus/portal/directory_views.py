"""Public pages of the directory: services, offices, life situations, the one search, sitemap.

Views stay thin: parse, call one selector or service of ``rathaus.directory`` or
``rathaus.kernel.search``, render. Nothing here needs JavaScript.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rathaus.directory import selectors, services
from rathaus.directory.types import Office, Service
from rathaus.eforms import selectors as eform_selectors
from rathaus.kernel import search
from rathaus.kernel.forms import submit
from rathaus.kernel.urls import absolute
from rathaus.payments import selectors as payment_selectors

from .forms import OfficeMessageForm, SearchForm

SEARCH_PAGE_SIZE = 20


def _now() -> dt.datetime:
    return timezone.localtime()


def appointment_url(*, service: Service, office: Office | None = None) -> str:
    """The booking page for this service (and office), if online booking is installed."""
    try:
        url = reverse("appointments:search")
    except NoReverseMatch:
        return ""
    return f"{url}?service={service.pk}" + (f"&office={office.pk}" if office else "")


def _booking_offices(service: Service) -> set[int]:
    """Ids of the offices where ``service`` can be booked online (none without the Terminvergabe)."""
    if not apps.is_installed("rathaus.appointments"):
        return set()
    from rathaus.appointments import selectors as appointment_selectors

    return {o.pk for o in appointment_selectors.offices_for_services([service])}


def _bookable_at(office: Office) -> set[int]:
    """Ids of the services ``office`` offers for online booking."""
    if not apps.is_installed("rathaus.appointments"):
        return set()
    from rathaus.appointments import selectors as appointment_selectors

    return appointment_selectors.service_ids_bookable_at(office)


def _office_today(office: Office) -> dict[str, object]:
    # The current time, not just the date: after closing time an office is not "open today".
    state = selectors.office_today(office=office, now=_now())
    return {"office": office, "today": state.today, "open_now": state.open_now, "state": state}


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    query, kind, page = "", "", 1
    if form.is_valid():
        query, kind, page = form.cleaned_data["q"], form.cleaned_data["art"], form.cleaned_data["seite"] or 1
        if query:
            results = search.find(
                query,
                kinds=[kind] if kind else None,
                limit=SEARCH_PAGE_SIZE,
                offset=(page - 1) * SEARCH_PAGE_SIZE,
            )
    pages = 0 if results is None else (results.total + SEARCH_PAGE_SIZE - 1) // SEARCH_PAGE_SIZE
    labels = {source.kind: source.label for source in search.sources()}
    return render(
        request,
        "portal/search.html",
        {
            "form": form,
            "query": query,
            "kind": kind,
            "results": results,
            "hits": [(hit, labels.get(hit.kind, "")) for hit in results.hits] if results else [],
            "page": page,
            "pages": pages,
            "has_next": page < pages,
            "has_previous": page > 1,
        },
    )


def service_list(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/service_list.html", {"services": selectors.published_services()})


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    service = selectors.published_service(slug=slug)
    if service is None:
        raise Http404(_("Diese Leistung gibt es nicht oder nicht mehr."))
    # Booking links only where an office really offers the service online (issue 10, item 1).
    booking_offices = _booking_offices(service)
    offices = [
        {
            **_office_today(office),
            "booking_url": appointment_url(service=service, office=office)
            if office.pk in booking_offices
            else "",
        }
        for office in service.offices.all()
    ]
    return render(
        request,
        "portal/service_detail.html",
        {
            "service": service,
            "offices": offices,
            "booking_url": appointment_url(service=service) if booking_offices else "",
            "online_url": _online_url(service),
            "life_situations": service.life_situations.filter(status="published"),
            # The fee schedule's current tariff for this service, if it names one (by LeiKa key).
            "tariff": payment_selectors.fee_for_service(service_key=service.leika_key),
        },
    )


def _online_url(service: Service) -> str:
    """Rathaus's own online form for the service, else the address the catalogue names."""
    form = eform_selectors.form_for_leika(leika_key=service.leika_key)
    return reverse("eforms:start", args=[form.id]) if form is not None else service.online_url


def office_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/office_list.html",
        {"offices": [_office_today(office) for office in selectors.published_offices().prefetch_related(
            "opening_hours", "opening_exceptions")]},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
def office_detail(request: HttpRequest, slug: str) -> HttpResponse:
    office = selectors.published_office(slug=slug)
    if office is None:
        raise Http404(_("Diese Dienststelle gibt es nicht oder nicht mehr."))
    form = OfficeMessageForm(request.POST or None)
    if (
        request.method == "POST"
        and office.contact_form
        and submit(form, lambda data: services.office_message_send(office=office, **data))
    ):
        messages.success(request, _("Vielen Dank. Ihre Nachricht ist bei der Dienststelle eingegangen."))
        return redirect(office.get_absolute_url())
    today = _now().date()
    return render(
        request,
        "portal/office_detail.html",
        {
            **_office_today(office),
            "week": selectors.office_week(office=office),
            "special_days": selectors.office_exceptions_ahead(office=office, today=today),
            "services": office.services.filter(status="published").exclude(slug="").order_by("name"),
            "bookable": _bookable_at(office),
            "children": office.children.filter(status="published").order_by("name"),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def life_situation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "portal/life_situation_list.html", {"situations": selectors.published_life_situations()}
    )


def life_situation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    situation = selectors.published_life_situation(slug=slug)
    if situation is None:
        raise Http404(_("Diese Lebenslage gibt es nicht."))
    return render(
        request,
        "portal/life_situation_detail.html",
        {"situation": situation, "steps": selectors.life_situation_steps(situation=situation)},
    )


def sitemap_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/sitemap.html",
        {
            "services": selectors.published_services(),
            "offices": selectors.published_offices(),
            "situations": selectors.published_life_situations(),
        },
    )


STATIC_PAGES = [
    "portal:home", "portal:search", "portal:services", "portal:offices", "portal:life_situations",
    "portal:sitemap", "portal:imprint", "portal:privacy", "portal:accessibility", "portal:easy_language",
    "portal:contact",
]  # fmt: skip


def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """sitemaps.org 0.9 XML of every public page (static pages, services, offices, situations)."""
    urls = [reverse(name) for name in STATIC_PAGES]
    urls += [s.get_absolute_url() for s in selectors.published_services()]
    urls += [o.get_absolute_url() for o in selectors.published_offices()]
    urls += [ls.get_absolute_url() for ls in selectors.published_life_situations()]
    return render(
        request,
        "portal/sitemap.xml",
        {"urls": [absolute(url, request=request) for url in urls]},
        content_type="application/xml; charset=utf-8",
    )
