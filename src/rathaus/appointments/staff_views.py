"""Staff pages at the office: day list per counter, check-in, walk-ins, call-up, statistics;
and the waiting room's call display (public: queue numbers and counters only, no names)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.kernel.exceptions import RathausError
from rathaus.kernel.forms import days_from_today, query_date, query_int

from . import charts, selectors, services
from .forms import DESK_DAYS_AHEAD, DESK_DAYS_BACK, CheckInForm, WalkInForm
from .models import Appointment, Counter


def _clerk(request: HttpRequest) -> User:
    """The member of staff behind the request (``staff_required`` lets only them through)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _office(request: HttpRequest) -> tuple[Office, list[Office]]:
    """The chosen office among those where the user works on matters (not as administrator:
    the day list shows names and booking codes); 403 for anyone else."""
    offices = selectors.staff_offices(_clerk(request))
    if not offices:
        raise PermissionDenied(_("Sie arbeiten in keiner Dienststelle mit Terminvergabe."))
    wanted = query_int(request.GET, "dienststelle") or query_int(request.POST, "dienststelle")
    office = next((o for o in offices if o.pk == wanted), offices[0])
    return office, offices


def _back(office: Office, day: datetime.date | None = None) -> HttpResponse:
    url = f"{reverse('appointments:staff')}?dienststelle={office.pk}"
    return redirect(f"{url}&tag={day.isoformat()}" if day else url)


EARLIEST_DAY = days_from_today(-DESK_DAYS_BACK)
LATEST_DAY = days_from_today(DESK_DAYS_AHEAD)


def _day(params: QueryDict, name: str) -> datetime.date:
    """The date parameter ``name``, today when absent; 400 for anything but a near ISO date."""
    day = query_date(params, name, earliest=EARLIEST_DAY, latest=LATEST_DAY, what="Der Tag")
    return day or timezone.localdate()


@staff_required
def day_view(request: HttpRequest) -> HttpResponse:
    office, offices = _office(request)
    day = _day(request.GET, "tag")
    lists = services.day_list_read(office=office, day=day, by=_clerk(request))
    counters = selectors.active_counters(office)
    context = {
        "office": office,
        "offices": offices,
        "day": day,
        "columns": [(c, lists.get(c, [])) for c in counters],
        "unassigned": lists.get(None, []),
        "queue": selectors.waiting_queue(office=office),
        "counters": counters,
        "checkin_form": CheckInForm(),
        "walkin_form": WalkInForm(office=office),
        "Status": Appointment.Status,
    }
    return render(request, "appointments/staff_day.html", context)


@staff_required
@require_POST
def check_in(request: HttpRequest) -> HttpResponse:
    office, _offices = _office(request)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            appointment = services.appointment_check_in(
                office=office, code=form.cleaned_data["code"], by=_clerk(request)
            )
        except RathausError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Angemeldet: Aufrufnummer %(number)s.") % {"number": appointment.queue_number}
            )
    else:
        messages.error(request, _("Bitte geben Sie einen Buchungscode ein."))
    return _back(office)


@staff_required
@require_POST
def walk_in(request: HttpRequest) -> HttpResponse:
    office, _offices = _office(request)
    form = WalkInForm(request.POST, office=office)
    if form.is_valid():
        ticket = services.walk_in_create(
            office=office, services=[form.cleaned_data["service"]], by=_clerk(request)
        )
        messages.success(request, _("Wartenummer %(number)s ausgegeben.") % {"number": ticket.queue_number})
    else:
        messages.error(request, _("Bitte wählen Sie eine Leistung."))
    return _back(office)


@staff_required
@require_POST
def call(request: HttpRequest) -> HttpResponse:
    office, _offices = _office(request)
    counter = get_object_or_404(Counter, pk=query_int(request.POST, "counter", default=0), office=office)
    called = services.call_next(office=office, counter=counter, by=_clerk(request))
    if called is None:
        messages.info(request, _("Niemand wartet."))
    else:
        messages.success(
            request,
            _("%(number)s wurde zu %(counter)s aufgerufen.")
            % {"number": called.queue_number, "counter": counter.name},
        )
    return _back(office)


@staff_required
@require_POST
def outcome(request: HttpRequest, appointment_id: int) -> HttpResponse:
    office, _offices = _office(request)
    day = query_date(request.POST, "tag", earliest=EARLIEST_DAY, latest=LATEST_DAY, what="Der Tag")
    appointment = get_object_or_404(Appointment, pk=appointment_id, office=office)
    try:
        if request.POST.get("outcome") == "no_show":
            services.appointment_no_show(appointment=appointment, by=_clerk(request))
        else:
            services.appointment_finish(appointment=appointment, by=_clerk(request))
    except RathausError as exc:
        messages.error(request, exc.message)
    return _back(office, day)


@staff_required
def statistics(request: HttpRequest) -> HttpResponse:
    office, offices = _office(request)
    last = _day(request.GET, "bis")
    first = last - datetime.timedelta(days=29)
    figures = selectors.office_statistics(office=office, first=first, last=last)
    context = {
        "office": office,
        "offices": offices,
        "first": first,
        "last": last,
        "figures": figures,
        "chart": charts.bar_chart(
            [(row.service, row.median_wait_minutes or 0.0) for row in figures.rows],
            title=_("Mittlere Wartezeit in Minuten je Leistung"),
        ),
    }
    return render(request, "appointments/staff_statistics.html", context)


def call_display(request: HttpRequest, slug: str) -> HttpResponse:
    office = selectors.planned_office(slug=slug)
    if office is None:
        raise Http404
    context = {
        "office": office,
        "calls": selectors.call_display(office=office),
        "waiting": len(selectors.waiting_queue(office=office)),
        "now": timezone.now(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "appointments/_call_list.html", context)
    return render(request, "appointments/call_display.html", context)
