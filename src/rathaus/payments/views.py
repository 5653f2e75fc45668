"""Citizen pages: own claims, paying (GiroCode or online) and the sandbox payment pages.
Thin: parse, authorise, call one service or selector."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.accounts.decorators import citizen_account_required
from rathaus.kernel.exceptions import NotFound, RathausError

from . import conf, pdfs, sandbox, selectors, services
from .forms import SandboxDecisionForm
from .models import Claim, Payment

citizen_only = citizen_account_required(refused_template="payments/citizens_only.html")


def _claim(request: HttpRequest, kassenzeichen: str) -> Claim:
    try:
        return selectors.claim_of_citizen(user=request.user, kassenzeichen=kassenzeichen)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


@citizen_only
def my_claims(request: HttpRequest) -> HttpResponse:
    claims = selectors.claims_of_user(user=request.user)[:100]  # type: ignore[arg-type]  # citizen_only
    return render(request, "payments/my_claims.html", {"claims": claims})


@citizen_only
def claim_detail(request: HttpRequest, kassenzeichen: str, error: str = "") -> HttpResponse:
    claim = _claim(request, kassenzeichen)
    girocode = pdfs.girocode_svg(claim, _("GiroCode für die Überweisung")) if claim.open_amount > 0 else ""
    context = {
        "claim": claim,
        "girocode": girocode,
        "transfer": pdfs.transfer_details(claim),
        "error": error,
        "product_page": selectors.claim_product_page(claim=claim),
        "paid": claim.payments.filter(status=Payment.Status.PAYED),
    }
    return render(request, "payments/claim_detail.html", context, status=409 if error else 200)


@citizen_only
def claim_pdf(request: HttpRequest, kassenzeichen: str) -> HttpResponse:
    claim = _claim(request, kassenzeichen)
    response = HttpResponse(pdfs.claim_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="zahlungsaufforderung-{claim.kassenzeichen}.pdf"'
    return response


@citizen_only
def receipt_pdf(request: HttpRequest, kassenzeichen: str, payment_id: int) -> HttpResponse:
    claim = _claim(request, kassenzeichen)
    payment = claim.payments.filter(pk=payment_id, status=Payment.Status.PAYED).first()
    if payment is None:
        raise Http404(_("Diese Zahlung gibt es nicht."))
    response = HttpResponse(pdfs.receipt_pdf(claim=claim, payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="quittung-{claim.kassenzeichen}-{payment.pk}.pdf"'
    )
    return response


@citizen_only
@require_http_methods(["GET", "POST"])
def pay(request: HttpRequest, kassenzeichen: str) -> HttpResponse:
    claim = _claim(request, kassenzeichen)
    if request.method != "POST":
        # A login on the way (``next`` is this address) comes back with GET: show the claim
        # with its pay button instead of a blank 405; paying always takes the button.
        return redirect("payments:claim", kassenzeichen=claim.kassenzeichen)
    try:
        payment = services.payment_start(claim=claim, by=request.user)  # type: ignore[arg-type]  # citizen_only
    except RathausError as exc:
        return claim_detail(request, kassenzeichen, error=str(exc))
    return redirect(payment.transaction_url)


@citizen_only
def payment_return(request: HttpRequest, request_id: str) -> HttpResponse:
    payment = (
        Payment.objects.filter(request_id=request_id, claim__debtor=request.user.pk)
        .select_related("claim")
        .first()
    )
    if payment is None:
        raise Http404(_("Diese Zahlung gibt es nicht."))
    payment = services.payment_refresh(payment=payment)
    # Back to what the claim pays for (the product's page), else to the claim.
    page = selectors.claim_product_page(claim=payment.claim)
    return redirect(page or reverse("payments:claim", args=[payment.claim.kassenzeichen]))


# --- sandbox payment service pages -------------------------------------------------------


def sandbox_pay(request: HttpRequest, transaction_id: str) -> HttpResponse:
    if not conf.sandbox_enabled():
        raise Http404
    try:
        info = sandbox.transaction_info(transaction_id)
        payment_request = sandbox.transaction_request(transaction_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    form = SandboxDecisionForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            sandbox.transaction_decide(
                transaction_id=transaction_id,
                approve=request.POST.get("decision") == "approve",
                mode=form.cleaned_data["mode"],
            )
            target = str(payment_request.get("redirectUrl") or "")
            return redirect(target if sandbox.redirect_allowed(target) else reverse("portal:home"))
        except RathausError as exc:
            error = str(exc)
    context = {
        "info": info,
        "status_label": Payment.Status(info.status).label if info.status in Payment.Status else info.status,
        "request_data": payment_request,
        "form": form,
        "error": error,
    }
    return render(request, "payments/sandbox_pay.html", context, status=409 if error else 200)


@require_POST
def sandbox_deliver(request: HttpRequest) -> HttpResponse:
    if not conf.sandbox_enabled():
        raise Http404
    count = sandbox.deliver_pending()
    return render(request, "payments/sandbox_delivered.html", {"count": count})
