"""Staff pages of the receiving authorities: inbox, invoice, checks, payment order, HKR export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from rathaus.accounts.decorators import staff_required
from rathaus.accounts.types import User
from rathaus.domain.einvoice.workflow import Action, State, allowed_actions
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import NotFound, RathausError
from rathaus.kernel.forms import query_int, submit

from . import display, reading, selectors, workflow
from .models import InboundInvoice
from .staff_forms import InvoiceActionForm, InvoiceDeclineForm, RouteForm


def _clerk(request: HttpRequest) -> User:
    """The staff member making the request (``staff_required`` lets no one else through)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _invoice_or_404(request: HttpRequest, invoice_id: int) -> InboundInvoice:
    try:
        return selectors.invoice_for_staff(invoice_id=invoice_id, user=_clerk(request))
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    offices = list(selectors.invoice_offices(_clerk(request)))
    if not offices:
        raise Http404(_("Sie bearbeiten für keine Dienststelle Rechnungen."))
    office = next(
        (o for o in offices if o.pk == query_int(request.GET, "dienststelle", what="Die Dienststelle")),
        offices[0],
    )
    state = request.GET.get("status") if request.GET.get("status") in InboundInvoice.State.values else ""
    query = request.GET.get("q", "").strip()[:100]
    page = selectors.office_invoices(
        office=office, state=state or None, query=query, before=query_int(request.GET, "vor")
    )
    context = {
        "offices": offices,
        "office": office,
        "state": state,
        "states": InboundInvoice.State.choices,
        "query": query,
        "page": page,
        "waiting": selectors.orders_waiting_for_export(office=office),
        "exports": selectors.payment_exports(office=office),
    }
    return render(request, "einvoice/staff/inbox.html", context)


def _detail(
    request: HttpRequest,
    invoice: InboundInvoice,
    *,
    failed: str = "",
    errors: list[str] | None = None,
    decline_form: InvoiceDeclineForm | None = None,
) -> HttpResponse:
    """The workbench; after a failed action ``failed`` names it: its disclosure opens with the error."""
    readable = reading.invoice_document(invoice)
    reading.staff_read_record(invoice=invoice, by=_clerk(request), what="html")
    offered = _offered(invoice)
    context = {
        "invoice": invoice,
        "doc": readable.document,
        "problem": readable.problem,
        "findings": display.finding_rows(invoice),
        "history": selectors.invoice_history(invoice),
        "original_text": selectors.original_text(invoice),
        "decline_form": decline_form
        or InvoiceDeclineForm(initial={"version": invoice.version}, auto_id=DECLINE_IDS),
        "failed": failed,
        "errors": errors or [],
        # An action that the invoice's current state no longer offers (a colleague was faster)
        # has no disclosure to open: its error then heads the actions.
        "offered": offered,
        "top_errors": (errors or []) if failed and failed not in offered else [],
        "me": request.user.pk,
    }
    # 409: the action clashed with the invoice's current state; 400: the form itself was incomplete.
    status = 409 if errors else 400 if failed else 200
    return render(request, "einvoice/staff/detail.html", context, status=status)


# The workbench's key (``_actions.html``) for each action of the domain's workflow; the export is
# a run of the inbox, not an action on one invoice.
ACTION_KEYS = {
    Action.APPROVE_FACTUAL: "sachlich",
    Action.APPROVE_ARITHMETIC: "rechnerisch",
    Action.ORDER_PAYMENT: "anordnen",
    Action.MARK_PAID: "bezahlt",
    Action.DECLINE: "zurueckweisen",
}
_STATES = {state.value for state in State}


def _offered(invoice: InboundInvoice) -> set[str]:
    """The keys of the actions the workbench offers: those the state machine allows in the
    invoice's state (``domain.einvoice.workflow.allowed_actions``), and filing while it has no case."""
    actions = allowed_actions(State(invoice.state)) if invoice.state in _STATES else []
    offered = {ACTION_KEYS[action] for action in actions if action in ACTION_KEYS}
    if invoice.case_id is None:
        offered.add("ablegen")
    return offered


# The decline form's field ids, unique on the workbench (no other form there has fields).
DECLINE_IDS = "zurueckweisen_%s"


def _to_workbench(invoice: InboundInvoice) -> HttpResponse:
    """Back to the invoice after an action, at its actions (the next step is there)."""
    return redirect(reverse("einvoice:staff-detail", args=[invoice.pk]) + "#bearbeitung")


@staff_required
def detail(request: HttpRequest, invoice_id: int) -> HttpResponse:
    return _detail(request, _invoice_or_404(request, invoice_id))


def _action(key: str, service: Callable[..., InboundInvoice], done: Any) -> Callable[..., HttpResponse]:
    @staff_required
    @require_POST
    def view(request: HttpRequest, invoice_id: int) -> HttpResponse:
        invoice = _invoice_or_404(request, invoice_id)
        form = InvoiceActionForm(request.POST)
        if not form.is_valid():
            return _detail(
                request,
                invoice,
                failed=key,
                errors=[_("Das Formular ist unvollständig; bitte laden Sie neu.")],
            )
        try:
            service(invoice=invoice, by=_clerk(request), expected_version=form.cleaned_data["version"])
        except RathausError as exc:
            return _detail(request, _invoice_or_404(request, invoice_id), failed=key, errors=[str(exc)])
        messages.success(request, str(done))
        return _to_workbench(invoice)

    return view


approve_factual = _action(
    "sachlich", workflow.invoice_approve_factual, gettext_lazy("Sachliche Richtigkeit festgestellt.")
)
approve_arithmetic = _action(
    "rechnerisch", workflow.invoice_approve_arithmetic, gettext_lazy("Rechnerische Richtigkeit festgestellt.")
)
order_payment = _action("anordnen", workflow.invoice_order_payment, gettext_lazy("Zahlung angeordnet."))
mark_paid = _action("bezahlt", workflow.invoice_mark_paid, gettext_lazy("Zahlung eingetragen."))


@staff_required
@require_POST
def file_again(request: HttpRequest, invoice_id: int) -> HttpResponse:
    """File an invoice in the E-Akte whose filing failed on receipt."""
    invoice = _invoice_or_404(request, invoice_id)
    invoice = workflow.invoice_file(invoice=invoice, by=_clerk(request))
    if invoice.case_id is None:
        return _detail(
            request,
            invoice,
            failed="ablegen",
            errors=[
                _("Die Rechnung konnte nicht in der E-Akte abgelegt werden; bitte später erneut versuchen.")
            ],
        )
    messages.success(request, _("Rechnung in der E-Akte abgelegt."))
    return _to_workbench(invoice)


@staff_required
@require_POST
def decline(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice_or_404(request, invoice_id)
    form = InvoiceDeclineForm(request.POST, auto_id=DECLINE_IDS)
    if submit(
        form,
        lambda data: workflow.invoice_decline(
            invoice=invoice, by=_clerk(request), reason=data["reason"], expected_version=data["version"]
        ),
    ):
        messages.success(request, _("Rechnung zurückgewiesen; der Rechnungssteller wird benachrichtigt."))
        return _to_workbench(invoice)
    return _detail(request, invoice, failed="zurueckweisen", decline_form=form)


@staff_required  # type: ignore[arg-type]  # a FileResponse streams; the decorator passes it through
def original(request: HttpRequest, invoice_id: int) -> FileResponse:
    invoice = _invoice_or_404(request, invoice_id)
    workflow.original_downloaded(invoice=invoice, by=_clerk(request))
    pdf = invoice.blob.content_type == "application/pdf"
    return FileResponse(
        blobs.open_blob(invoice.blob),
        as_attachment=True,
        filename=f"rechnung-{invoice.pk}.{'pdf' if pdf else 'xml'}",
        content_type=invoice.blob.content_type,
    )


@staff_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    offices = {o.pk: o for o in selectors.invoice_offices(_clerk(request))}
    office = offices.get(query_int(request.POST, "dienststelle", default=-1, what="Die Dienststelle"))
    if office is None:
        raise Http404(_("Diese Dienststelle gibt es nicht oder Sie dürfen für sie nicht exportieren."))
    export = workflow.payment_export_create(by=_clerk(request), office=office)
    if export is None:
        messages.info(request, _("Es gibt keine angeordneten Zahlungen, die noch nicht exportiert wurden."))
    else:
        messages.success(
            request,
            ngettext(
                "Export Nr. %(nr)s mit %(count)s Zahlung erstellt.",
                "Export Nr. %(nr)s mit %(count)s Zahlungen erstellt.",
                export.count,
            )
            % {"nr": export.pk, "count": export.count},
        )
    return redirect(f"{_inbox_url()}?dienststelle={office.pk}")


def _inbox_url() -> str:
    return reverse("einvoice:staff-inbox")


@staff_required  # type: ignore[arg-type]
def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    try:
        export = selectors.payment_export_for_staff(export_id=export_id, user=_clerk(request))
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    workflow.payment_export_downloaded(export=export, by=_clerk(request))
    assert export.blob is not None
    return FileResponse(
        blobs.open_blob(export.blob), as_attachment=True, filename=export.filename, content_type="text/csv"
    )


# --- The routing table (staff with the permission to change routes) ------------------------

ROUTE_PERMISSION = "einvoice.change_leitwegroute"


def _may_route(request: HttpRequest) -> None:
    if not request.user.has_perm(ROUTE_PERMISSION):
        raise PermissionDenied


def _route_form_response(request: HttpRequest, form: RouteForm, route: Any = None) -> HttpResponse:
    context = {"form": form, "route": route, "routes": selectors.routes(query=request.GET.get("q", "")[:60])}
    return render(request, "einvoice/staff/routes.html", context, status=400 if form.errors else 200)


@staff_required
def routes(request: HttpRequest) -> HttpResponse:
    _may_route(request)
    if request.method == "POST":
        form = RouteForm(request.POST)
        if submit(form, lambda data: workflow.route_create(by=_clerk(request), **data)):
            messages.success(request, _("Route gespeichert."))
            return redirect("einvoice:staff-routes")
    else:
        form = RouteForm(initial={"match": "exact", "valid_from": timezone.localdate()})
    return _route_form_response(request, form)


@staff_required
def route_edit(request: HttpRequest, route_id: int) -> HttpResponse:
    _may_route(request)
    route = selectors.route_by_id(route_id=route_id)
    if route is None:
        raise Http404(_("Diese Route gibt es nicht."))
    if request.method == "POST":
        form = RouteForm(request.POST, editing=True)
        if submit(form, lambda data: workflow.route_update(route=route, by=_clerk(request), **data)):
            messages.success(request, _("Route geändert."))
            return redirect("einvoice:staff-routes")
    else:
        initial = {f: getattr(route, f) for f in ("office", "valid_from", "valid_until", "note")}
        form = RouteForm(initial=initial, editing=True)
    return _route_form_response(request, form, route)
