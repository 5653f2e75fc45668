"""Staff pages of the cash office (Kasse): claims, payments, unmatched credits, daily
totals, camt import, refunds with four eyes, HKR export, and paid claims whose delivery
failed (with a button to try again)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rathaus.accounts.decorators import staff_required
from rathaus.accounts.types import User
from rathaus.kernel.exceptions import NotFound, RathausError
from rathaus.kernel.forms import query_date, submit

from . import drawing, reconcile, selectors, services
from .forms import AssignForm, CamtUploadForm, RefundForm
from .models import BankCredit, Claim, Posting, Refund


def _clerk(request: HttpRequest) -> User:
    """The member of staff behind the request (``staff_required`` lets only them through)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _cash_office(request: HttpRequest) -> None:
    if not selectors.is_cash_office_staff(_clerk(request)):
        raise Http404(_("Nur für die Kasse."))


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    clerk = _clerk(request)
    if not selectors.payment_offices(clerk).exists():
        raise Http404(_("Sie arbeiten in keiner Dienststelle mit Forderungen."))
    query = request.GET.get("q", "").strip()
    claims = selectors.claims_for_staff(clerk).select_related("office")
    if query:
        found = selectors.claim_by_kassenzeichen(text=query)
        claims = claims.filter(pk=found.pk if found else -1)
    else:
        claims = claims.filter(status__in=[Claim.Status.OPEN, Claim.Status.PARTLY_PAID])
    totals = selectors.daily_totals(clerk)
    cash_office = selectors.is_cash_office_staff(clerk)
    context = {
        "query": query,
        "claims": claims[:50],
        "payments": selectors.recent_payments(clerk, 20),
        "totals": totals,
        "chart": drawing.daily_totals_svg(totals, title=_("Zahlungseingänge der letzten 14 Tage")),
        "unmatched": selectors.unmatched_credits().count() if cash_office else None,
        "fulfilments_to_check": selectors.fulfilments_to_check_count() if cash_office else None,
        "refunds": selectors.pending_refunds(clerk),
        "upload_form": CamtUploadForm(),
        "today": timezone.localdate(),
    }
    return render(request, "payments/staff_dashboard.html", context)


def _claim(request: HttpRequest, kassenzeichen: str) -> Claim:
    try:
        return selectors.claim_for_staff(user=_clerk(request), kassenzeichen=kassenzeichen)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _claim_page(
    request: HttpRequest,
    claim: Claim,
    form: RefundForm | None = None,
    decide_error: str = "",
) -> HttpResponse:
    """The claim as a clerk's workbench: summary, actions as disclosures, then the facts.

    A failed action re-renders the page with that action open and its error summary focused.
    """
    context = {
        "claim": claim,
        "payments": claim.payments.all(),
        "refunds": claim.refunds.select_related("requested_by", "decided_by"),
        # Both sides of each booking about this claim, not only its receivable sub-ledger.
        "postings": Posting.objects.filter(Q(entry__claim=claim) | Q(claim=claim))
        .select_related("entry")
        .order_by("entry_id", "id")
        .distinct(),
        "refund_form": form or RefundForm(prefix="refund", initial={"amount": claim.refundable_amount}),
        "decide_errors": [decide_error] if decide_error else [],
        "history": selectors.claim_history(claim=claim),
        "fulfilment": selectors.claim_fulfilment(claim=claim),
        "is_cash_office": selectors.is_cash_office_staff(_clerk(request)),
    }
    return render(
        request,
        "payments/staff_claim.html",
        context,
        status=400 if (decide_error or (form and form.errors)) else 200,
    )


@staff_required
def claim_detail(request: HttpRequest, kassenzeichen: str) -> HttpResponse:
    return _claim_page(request, _claim(request, kassenzeichen))


@staff_required
@require_http_methods(["GET", "POST"])
def refund_request(request: HttpRequest, kassenzeichen: str) -> HttpResponse:
    claim = _claim(request, kassenzeichen)
    if request.method != "POST":  # back from a login (``next``): the claim page has the form
        return redirect("payments:staff-claim", kassenzeichen=claim.kassenzeichen)
    form = RefundForm(request.POST, prefix="refund")
    if submit(
        form,
        lambda data: services.refund_request(
            claim=claim,
            amount=data["amount"],
            reason=data["reason"],
            by=_clerk(request),
            request_key=data["key"],
        ),
        # "At most … can be refunded" belongs to the amount field, linked from the summary.
        error_field=lambda exc: "amount" if exc.code == "amount" else None,
    ):
        return redirect(reverse("payments:staff-claim", args=[claim.kassenzeichen]) + "#refunds")
    return _claim_page(request, claim, form)


@staff_required
@require_http_methods(["GET", "POST"])
def refund_decide(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = Refund.objects.filter(
        pk=refund_id, claim__in=selectors.claims_for_staff(_clerk(request))
    ).first()
    if refund is None:
        raise Http404(_("Diese Erstattung gibt es nicht."))
    if request.method != "POST":
        return redirect("payments:staff-claim", kassenzeichen=refund.claim.kassenzeichen)
    try:
        services.refund_decide(
            refund=refund, approve=request.POST.get("decision") == "approve", by=_clerk(request)
        )
    except RathausError as exc:
        return _claim_page(request, refund.claim, decide_error=str(exc))
    return redirect("payments:staff-claim", kassenzeichen=refund.claim.kassenzeichen)


@staff_required
def credits(request: HttpRequest) -> HttpResponse:
    _cash_office(request)
    return render(
        request,
        "payments/staff_credits.html",
        {"rows": _credit_forms(selectors.unmatched_credits()[:100])},
    )


def _credit_forms(credits: Any, failed: AssignForm | None = None) -> list[tuple[BankCredit, AssignForm]]:
    """Each credit with its own form (prefix ``credit-<id>``: unique field IDs on the page)."""
    rows = []
    for credit in credits:
        prefix = f"credit-{credit.pk}"
        form = failed if failed is not None and failed.prefix == prefix else AssignForm(prefix=prefix)
        rows.append((credit, form))
    return rows


@staff_required
@require_http_methods(["GET", "POST"])
def credit_assign(request: HttpRequest, credit_id: int) -> HttpResponse:
    _cash_office(request)
    credit = BankCredit.objects.filter(pk=credit_id).first()
    if credit is None:
        raise Http404(_("Diese Gutschrift gibt es nicht."))
    if request.method != "POST":  # back from a login (``next``): the list has the form
        return redirect("payments:staff-credits")
    form = AssignForm(request.POST, prefix=f"credit-{credit.pk}")

    def assign(data: dict[str, Any]) -> None:
        claim = Claim.objects.filter(kassenzeichen=data["kassenzeichen"]).first()
        if claim is None:
            raise NotFound(_("Zu diesem Kassenzeichen gibt es keine Forderung."), code="kassenzeichen")
        reconcile.credit_assign(credit=credit, claim=claim, by=_clerk(request))

    if submit(form, assign, error_field=lambda exc: "kassenzeichen" if exc.code == "kassenzeichen" else None):
        return redirect("payments:staff-credits")
    context = {"rows": _credit_forms(selectors.unmatched_credits()[:100], failed=form)}
    return render(request, "payments/staff_credits.html", context, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def camt_upload(request: HttpRequest) -> HttpResponse:
    _cash_office(request)
    if request.method != "POST":  # back from a login (``next``): the upload form is on the dashboard
        return redirect("payments:staff")
    form = CamtUploadForm(request.POST, request.FILES)
    result, error = None, ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = reconcile.import_camt(data=upload.read(), filename=upload.name, by=_clerk(request))
        except RathausError as exc:
            error = str(exc)
    else:
        error = _("Bitte wählen Sie eine Datei aus.")
    return render(
        request,
        "payments/staff_import.html",
        {"result": result, "error": error},
        status=400 if error else 200,
    )


@staff_required
def hkr_export(request: HttpRequest) -> HttpResponse:
    _cash_office(request)
    today = timezone.localdate()
    bounds = {"earliest": reconcile.HKR_EARLIEST, "latest": reconcile.HKR_LATEST}
    start = query_date(request.GET, "von", default=today, what="Der erste Tag des Zeitraums", **bounds)
    end = query_date(request.GET, "bis", default=start, what="Der letzte Tag des Zeitraums", **bounds)
    try:
        body = reconcile.hkr_export(start=start, end=end)
    except RathausError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hkr-{start}-{end}.csv"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def fulfilments(request: HttpRequest) -> HttpResponse:
    """Paid claims whose delivery failed or is stuck; POST ``kassenzeichen`` tries one again."""
    _cash_office(request)
    error = ""
    if request.method == "POST":
        claim = Claim.objects.filter(kassenzeichen=request.POST.get("kassenzeichen", "")).first()
        if claim is None:
            raise Http404(_("Diese Forderung gibt es nicht."))
        try:
            services.fulfilment_retry(claim=claim, by=_clerk(request))
            return redirect("payments:staff-fulfilments")
        except RathausError as exc:
            error = str(exc)
    return render(
        request,
        "payments/staff_fulfilments.html",
        {"rows": selectors.fulfilments_to_check(), "error": error},
        status=409 if error else 200,
    )
