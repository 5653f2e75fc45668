"""Citizens' pages of the Terminvergabe: find a time, reserve, confirm, view, move, cancel.

Everything works without JavaScript. The only script (``appointments/pow.js``) solves the
proof-of-work challenge; without it the form's waiting ticket is used (see ``protection``).
A personal link that does not match an appointment gets the same 404 page whether the
appointment exists or not.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.parse import InputError, iso_date
from rathaus.kernel.exceptions import RathausError

from . import notices, protection, selectors, services, tokens
from .forms import DAYS_AHEAD, DAYS_BACK, ContactForm, MoveForm, ReserveForm, SearchForm
from .models import Appointment


def _throttled(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "appointments/throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _by_link(request: HttpRequest, token: str) -> Appointment:
    appointment = tokens.appointment_by_link(token)
    if appointment is None:
        raise Http404(_("Diesen Termin gibt es nicht, oder der Link ist nicht vollständig."))
    return appointment


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    offering: list[Office] | None = None
    if form.is_bound and form.is_valid():
        wait = protection.rate_limit("lookup", protection.client_address(request))
        if wait:
            return _throttled(request, wait)
        office, day = form.cleaned_data.get("office"), form.cleaned_data.get("day")
        offices = selectors.offices_for_services(form.services())
        if office and office not in offices:
            # Not "no times free": this office does not do it at all; name those that do.
            offering = offices
        elif office:
            results = selectors.availability(office=office, services=form.services(), day=day, limit=40)
        else:
            results = selectors.earliest_across_offices(services=form.services())
    context = {
        "form": form,
        "results": results,
        "offering": None if offering is None else [(o, _search_url(form, o)) for o in offering],
        "service_ids": ",".join(str(s.pk) for s in form.services()) if results else "",
        "challenge": protection.pow_challenge() if results else None,
        "ticket": protection.wait_ticket() if results else "",
        "form_token": tokens.form_token() if results else "",
        "wait_seconds": protection.WAIT_SECONDS,
    }
    return render(request, "appointments/search.html", context, status=400 if form.errors else 200)


def _search_url(form: SearchForm, office: Office) -> str:
    """The search for the form's services at ``office``."""
    query = {"service": form.cleaned_data["service"].pk, "office": office.pk}
    if form.cleaned_data.get("service2"):
        query["service2"] = form.cleaned_data["service2"].pk
    return f"{reverse('appointments:search')}?{urlencode(query)}"


@require_POST
def reserve(request: HttpRequest) -> HttpResponse:
    wait = protection.rate_limit("reserve", protection.client_address(request))
    if wait:
        return _throttled(request, wait)
    form = ReserveForm(request.POST)
    if not form.is_valid():
        message = (
            _("Dieses Formular ist nicht vollständig. Bitte suchen Sie den Termin noch einmal.")
            if "form_token" in form.errors and len(form.errors) == 1
            else _("Bitte wählen Sie einen Termin.")
        )
        return render(request, "appointments/problem.html", {"message": message}, status=400)
    key = form.cleaned_data["request_key"]
    # The same submission again (a double click, a reload): the hold it made, not a second one.
    if (earlier := _earlier_hold(key)) is not None:
        return earlier
    if not protection.pow_verify(form.cleaned_data["pow"]):
        check = protection.wait_ticket_check(form.cleaned_data["ticket"])
        if not check.valid:
            # Its twin may have used the proof of work and finished meanwhile.
            return _earlier_hold(key) or _wait_page(request, form, check)
    office, start = form.cleaned_data["choice"]
    try:
        _appointment, token = services.appointment_reserve(
            office=office,
            services=form.cleaned_data["services"],
            start=start,
            user=request.user,
            origin=_origin(request),
            request_key=key,
        )
    except RathausError as exc:
        return render(request, "appointments/problem.html", {"message": exc.message}, status=exc.http_status)
    return redirect("appointments:manage", token=token)


def _earlier_hold(key: str) -> HttpResponse | None:
    """The page of the hold an earlier submission of the same form and time made, if any."""
    appointment = tokens.appointment_by_request_key(key)
    if appointment is None:
        return None
    return redirect("appointments:manage", token=tokens.link_token(appointment))


def _wait_page(request: HttpRequest, form: ReserveForm, check: protection.TicketCheck) -> HttpResponse:
    """Wait (the ticket is too young), or try again with a new ticket (it was used or is invalid)."""
    context = {
        "post": request.POST,
        "wait": check.wait_seconds,
        "ticket": protection.wait_ticket() if not check.wait_seconds else form.cleaned_data["ticket"],
    }
    return render(request, "appointments/wait.html", context, status=200 if check.wait_seconds else 400)


def manage(request: HttpRequest, token: str) -> HttpResponse:
    wait = protection.rate_limit("lookup", protection.client_address(request))
    if wait:
        return _throttled(request, wait)
    appointment = _by_link(request, token)
    return _manage_page(request, appointment, token)


def _manage_page(
    request: HttpRequest,
    appointment: Appointment,
    token: str,
    *,
    form: ContactForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    if appointment.status in Appointment.HOLDING and appointment.held_until and appointment.held_until < now:
        expired = True
    else:
        expired = False
    is_citizen = request.user.is_authenticated and getattr(request.user, "kind", "") == "citizen"
    context = {
        # What really happened to the confirmation: postbox (citizen account) and/or e-mail.
        "in_postbox": notices.has_postbox(appointment),
        "appointment": appointment,
        "token": token,
        "services": list(appointment.services.all()),
        "form": form or ContactForm(),
        "expired": expired,
        "is_citizen": is_citizen,
        "error": error,
        "Status": Appointment.Status,
    }
    return render(request, "appointments/manage.html", context, status=status)


@require_POST
def contact(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_link(request, token)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _manage_page(request, appointment, token, form=form, status=400)
    try:
        services.appointment_preconfirm(
            appointment=appointment, name=form.cleaned_data["name"], email=form.cleaned_data["email"]
        )
    except RathausError as exc:
        appointment.refresh_from_db()
        return _manage_page(request, appointment, token, form=form, error=exc.message, status=exc.http_status)
    return redirect("appointments:manage", token=token)


@require_POST
def confirm_with_account(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_link(request, token)
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated or user.kind != User.Kind.CITIZEN:
        return redirect(f"{reverse('accounts:login')}?next={reverse('appointments:manage', args=[token])}")
    try:
        services.appointment_confirm_with_account(appointment=appointment, user=user)
    except RathausError as exc:
        appointment.refresh_from_db()
        return _manage_page(request, appointment, token, error=exc.message, status=exc.http_status)
    return redirect("appointments:manage", token=token)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that open links must not confirm."""
    if request.method == "GET":
        if tokens.appointment_by_verify_token(token) is None:
            return render(request, "appointments/link_invalid.html", status=404)
        return render(request, "appointments/verify.html", {"token": token})
    try:
        appointment = services.appointment_verify(token=token)
    except RathausError as exc:
        if exc.http_status == 404:
            return render(request, "appointments/link_invalid.html", status=404)
        return render(request, "appointments/problem.html", {"message": exc.message}, status=exc.http_status)
    return redirect("appointments:manage", token=tokens.link_token(appointment))


def ics(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_link(request, token)
    if appointment.status != Appointment.Status.CONFIRMED:
        raise Http404(_("Für diesen Termin gibt es keinen Kalendereintrag."))
    response = HttpResponse(notices.ics_for(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="termin.ics"'
    return response


@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """GET (or a POST without ``confirm``) asks first; only the confirming POST cancels."""
    wait = protection.rate_limit("lookup", protection.client_address(request))
    if wait:
        return _throttled(request, wait)
    appointment = _by_link(request, token)
    if appointment.status not in (*Appointment.HOLDING, Appointment.Status.CONFIRMED):
        return redirect("appointments:manage", token=token)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        context = {
            "appointment": appointment,
            "token": token,
            "services": list(appointment.services.all()),
            "Status": Appointment.Status,
        }
        return render(request, "appointments/cancel.html", context)
    try:
        services.appointment_cancel(appointment=appointment)
    except RathausError as exc:
        return _manage_page(request, appointment, token, error=exc.message, status=exc.http_status)
    return redirect("appointments:manage", token=token)


@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _by_link(request, token)
    if appointment.status != Appointment.Status.CONFIRMED:
        return redirect("appointments:manage", token=token)
    error = ""
    if request.method == "POST":
        wait = protection.rate_limit("reserve", protection.client_address(request))
        if wait:
            return _throttled(request, wait)
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_move(appointment=appointment, start=form.cleaned_data["start"])
            except RathausError as exc:
                error = exc.message
            else:
                return redirect("appointments:manage", token=token)
        else:
            error = _("Bitte wählen Sie einen neuen Termin.")
    try:
        day = _day(request.GET.get("tag"))
    except InputError as exc:
        return render(request, "appointments/problem.html", {"message": str(exc)}, status=400)
    free = selectors.availability(
        office=appointment.office, services=list(appointment.services.all()), day=day, limit=40
    )
    context = {"appointment": appointment, "token": token, "free": free, "error": error, "day": day}
    return render(request, "appointments/move.html", context, status=400 if error else 200)


def _day(value: str | None) -> datetime.date | None:
    """The ``tag`` parameter: empty, or a date near today (``InputError`` otherwise)."""
    if not value:
        return None
    today = timezone.localdate()
    return iso_date(
        value,
        earliest=today - datetime.timedelta(days=DAYS_BACK),
        latest=today + datetime.timedelta(days=DAYS_AHEAD),
        what="Der Tag",
    )
