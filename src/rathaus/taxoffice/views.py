"""Pages of the online tax office: the citizen's returns under "Mein Konto" and the tax office's
list and return page with the status form. Thin: parse, authorise, call one service or
selector, render. Every page works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts.decorators import citizen_account_required, staff_required
from rathaus.accounts.types import User
from rathaus.kernel.exceptions import Conflict, NotFound
from rathaus.kernel.forms import submit

from . import selectors, services
from .forms import FilterForm, StatusForm
from .models import TaxReturn

citizen_only = citizen_account_required(refused_template="taxoffice/citizens_only.html")


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # the decorators let only a login through


@citizen_only
@require_GET
def my_returns(request: HttpRequest) -> HttpResponse:
    rows, times = selectors.returns_of_citizen(user=_user(request), today=timezone.localdate())
    return render(request, "taxoffice/mine.html", {"rows": rows, "times": list(times.values())})


@citizen_only
@require_GET
def my_return(request: HttpRequest, tax_return_id: int) -> HttpResponse:
    try:
        row, time = selectors.return_of_citizen(
            user=_user(request), tax_return_id=tax_return_id, today=timezone.localdate()
        )
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    context = {"row": row, "time": time, "events": selectors.history(tax_return=row.tax_return)}
    return render(request, "taxoffice/my_return.html", context)


def _tax_staff(request: HttpRequest) -> User:
    """Staff of a tax office only; other staff get 403 (the pages are the tax office's)."""
    user = _user(request)
    if not selectors.tax_offices_of(user).exists():
        raise PermissionDenied
    return user


@staff_required
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    user = _tax_staff(request)
    form = FilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    rows = selectors.staff_returns(
        user=user, status=data.get("status") or "", tax_year=data.get("jahr"), query=data.get("q") or ""
    )
    return render(request, "taxoffice/staff_list.html", {"form": form, "rows": rows})


def _staff_page(
    request: HttpRequest, tax_return_id: int, form: StatusForm | None, status: int
) -> HttpResponse:
    try:
        tax_return = selectors.staff_return(user=_tax_staff(request), tax_return_id=tax_return_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    allowed = selectors.next_statuses(tax_return)
    context = {
        "tax_return": tax_return,
        "events": selectors.history(tax_return=tax_return),
        "form": form
        or StatusForm(allowed=allowed, initial={"expected_status": tax_return.status}, auto_id="stand-%s"),
        "allowed": allowed,
    }
    return render(request, "taxoffice/staff_return.html", context, status=status)


@staff_required
@require_GET
def staff_return(request: HttpRequest, tax_return_id: int) -> HttpResponse:
    return _staff_page(request, tax_return_id, None, 200)


@staff_required
@require_POST
def staff_status(request: HttpRequest, tax_return_id: int) -> HttpResponse:
    user = _tax_staff(request)
    form = StatusForm(request.POST, auto_id="stand-%s")
    conflict: list[bool] = []

    def change(data: dict[str, Any]) -> TaxReturn:
        try:
            return services.tax_return_status_change(
                tax_return_id=tax_return_id,
                status=data["status"],
                note=data["note"],
                by=user,
                expected_status=data["expected_status"] or None,
            )
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except Conflict:
            conflict.append(True)
            raise

    if not submit(form, change, error_field=lambda error: "status"):
        return _staff_page(request, tax_return_id, form, 409 if conflict else 400)
    messages.success(request, _("Der Stand wurde geändert und die Steuerpflichtigen wurden benachrichtigt."))
    return redirect(reverse("taxoffice:staff-return", args=[tax_return_id]) + "#main")
