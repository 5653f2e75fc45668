"""Staff pages of the register offices (``/register/anfragen/…``, decision 0105): the exchange
requests that wait for a clerk's decision, one request to release or refuse, and the exchange
statistics per purpose.

Thin: staff only (``staff_required``: password and second factor); which requests a clerk sees
and may decide follows from their working roles (``exchange_desk``, ``exchange_decisions``).
A request of another office is 404, a decided one a message on the queue, never a 500.
"""

from __future__ import annotations

import datetime
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.accounts.types import User
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from . import exchange_decisions, exchange_desk
from .services import ExchangeRefused

# Width in SVG units of the longest bar of the statistics chart.
BAR_WIDTH = 290
DEFAULT_DAYS = 30


def _clerk(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    clerk = _clerk(request)
    return render(
        request,
        "registers/staff/queue.html",
        {
            "pending": exchange_desk.pending_exchanges(clerk=clerk),
            "may_see_statistics": bool(exchange_desk.register_offices_of(clerk)),
        },
    )


def _detail(
    request: HttpRequest, exchange_id: int, *, errors: list[str] | None = None, status: int = 200
) -> HttpResponse:
    try:
        pending = exchange_desk.pending_exchange(exchange_id=exchange_id, clerk=_clerk(request))
    except NotFound as error:
        raise Http404(error.message) from error
    return render(
        request,
        "registers/staff/decide.html",
        {"item": pending, "errors": errors or [], "reason": request.POST.get("reason", "")},
        status=status,
    )


@require_GET
@staff_required
def decide(request: HttpRequest, exchange_id: int) -> HttpResponse:
    return _detail(request, exchange_id)


@require_POST
@staff_required
def release(request: HttpRequest, exchange_id: int) -> HttpResponse:
    try:
        record = exchange_decisions.exchange_release(exchange_id=exchange_id, clerk=_clerk(request))
    except NotFound as error:
        raise Http404(error.message) from error
    except Conflict as error:
        messages.error(request, error.message)
    except ExchangeRefused as refusal:
        messages.warning(
            request,
            _("Die Anfrage Nr. %(id)s wurde nicht freigegeben: %(reason)s")
            % {"id": exchange_id, "reason": refusal.message},
        )
    else:
        messages.success(
            request,
            _("Die Anfrage Nr. %(id)s ist freigegeben; die anfragende Stelle kann die Antwort abrufen.")
            % {"id": record.pk},
        )
    return redirect("exchange_desk:queue")


@require_POST
@staff_required
def refuse(request: HttpRequest, exchange_id: int) -> HttpResponse:
    try:
        exchange_decisions.exchange_refuse(
            exchange_id=exchange_id, clerk=_clerk(request), reason=request.POST.get("reason", "")
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except InvalidInput as error:
        return _detail(request, exchange_id, errors=[error.message], status=422)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("exchange_desk:queue")
    messages.success(request, _("Die Anfrage Nr. %(id)s ist abgelehnt.") % {"id": exchange_id})
    return redirect("exchange_desk:queue")


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date, list[str]]:
    """The period asked for (``von``, ``bis``: ISO dates), or the last 30 days with errors."""
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=DEFAULT_DAYS - 1), today
    errors = []
    for name, label in (("von", _("Von")), ("bis", _("Bis"))):
        raw = request.GET.get(name, "").strip()
        if not raw:
            continue
        try:
            day = datetime.date.fromisoformat(raw[:10])
        except ValueError:
            errors.append(_("%(label)s: Bitte geben Sie ein Datum an, z. B. 2026-11-30.") % {"label": label})
            continue
        if name == "von":
            start = day
        else:
            end = day
    if start > end:
        errors.append(_("Der Beginn des Zeitraums liegt nach seinem Ende."))
        start, end = end, start
    return start, end, errors


def _bars(row: exchange_desk.StatisticsRow, largest: int) -> list[dict[str, object]]:
    """The three bars of one purpose in the chart (SVG units; the longest is ``BAR_WIDTH``): each
    label on its own line above its bar, so the chart stays legible at phone width."""
    bars: list[dict[str, object]] = []
    outcomes = (
        ("answered", _("beantwortet"), row.answered),
        ("refused", _("abgelehnt"), row.refused),
        ("pending", _("wartet auf Entscheidung"), row.pending),
    )
    for position, (kind, label, count) in enumerate(outcomes):
        width = round(BAR_WIDTH * count / largest) if largest else 0
        bars.append(
            {
                "kind": kind,
                "label": label,
                "shown": formats.number_format(count, force_grouping=True),
                "width": width,
                "text_x": width + 6,
                "y": 42 * position,
                "bar_y": 42 * position + 18,
            }
        )
    return bars


@require_GET
@staff_required
def statistics(request: HttpRequest) -> HttpResponse:
    if not exchange_desk.register_offices_of(_clerk(request)):
        return render(request, "registers/staff/not_register_office.html", status=403)
    start, end, errors = _period(request)
    rows = exchange_desk.exchange_statistics(start=start, end=end)
    largest = max((max(r.answered, r.refused, r.pending) for r in rows), default=0)
    chart = [{"row": row, "bars": _bars(row, largest)} for row in rows]
    totals = {
        key: formats.number_format(sum(getattr(r, key) for r in rows), force_grouping=True)
        for key in ("answered", "refused", "pending", "total")
    }
    return render(
        request,
        "registers/staff/statistics.html",
        {
            "start": start,
            "end": end,
            "errors": errors,
            "chart": chart,
            "totals": totals,
            "bar_width": BAR_WIDTH,
        },
        status=422 if errors else 200,
    )
