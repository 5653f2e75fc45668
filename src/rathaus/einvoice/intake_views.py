"""Supplier pages (web upload, own invoices) and the readable view of an invoice (HTML, PDF, attachments).

Thin views: parse, authorise, call ``services.invoice_receive`` or a read of ``reading``, render.
Suppliers are organisation logins; staff reach the readable view of their office's invoices.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from rathaus.accounts.types import User
from rathaus.domain.einvoice import DEFAULT_MAX_BYTES
from rathaus.kernel import blobs
from rathaus.kernel.exceptions import InvalidInput, NotFound

from . import display, reading, services
from . import render as pdf_render
from .intake_forms import InvoiceUploadForm
from .models import InboundInvoice


def _login(request: HttpRequest) -> HttpResponse:
    return redirect_to_login(request.get_full_path(), reverse("accounts:staff-login"))


def organisation_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Organisation logins only: others are sent to the login, citizens and staff get 403."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return _login(request)
        if user.kind != User.Kind.ORGANISATION or user.organisation_id is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@organisation_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    form = InvoiceUploadForm(request.POST, request.FILES) if request.method == "POST" else InvoiceUploadForm()
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            content = upload_file.read(DEFAULT_MAX_BYTES + 1)
            try:
                invoice = services.invoice_receive(
                    content=content,
                    sender=request.user.organisation,
                    channel=InboundInvoice.Channel.UPLOAD,
                    submitted_by=request.user,
                )
                return redirect("einvoice_intake:invoice", invoice_id=invoice.pk)
            except InvalidInput as exc:
                form.add_error("file", str(exc))
        status = 400
    return render(request, "einvoice/intake/upload.html", {"form": form}, status=status)


@organisation_required
def my_invoices(request: HttpRequest) -> HttpResponse:
    invoices = list(reading.invoices_of_organisation(organisation=request.user.organisation))
    for row in invoices:
        row.status_label = display.supplier_status(row)  # type: ignore[attr-defined]
    unreadable = any(not row.invoice_number for row in invoices)
    return render(request, "einvoice/intake/list.html", {"invoices": invoices, "unreadable": unreadable})


def _readable(request: HttpRequest, invoice_id: int) -> InboundInvoice | HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return _login(request)
    try:
        return reading.invoice_for_reader(invoice_id=invoice_id, user=user)
    except NotFound as exc:
        if user.kind == User.Kind.STAFF and not user.is_verified():
            return _login(request)  # staff without the second factor: log in properly first
        raise Http404(str(exc)) from exc


def invoice(request: HttpRequest, invoice_id: int) -> HttpResponse:
    found = _readable(request, invoice_id)
    if isinstance(found, HttpResponse):
        return found
    readable = reading.invoice_document(found)
    reading.staff_read_record(invoice=found, by=request.user, what="html")
    context = {
        "invoice": found,
        "doc": readable.document,
        "problem": readable.problem,
        "findings": (findings := display.finding_rows(found)),
        "errors": sum(1 for f in findings if f["severity"] == "error"),
        "status_label": display.supplier_status(found),
        "is_supplier": request.user.kind == User.Kind.ORGANISATION,
        "container": found.validation_report.get("container", "xml"),
    }
    return render(request, "einvoice/intake/invoice.html", context)


def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    found = _readable(request, invoice_id)
    if isinstance(found, HttpResponse):
        return found
    readable = reading.invoice_document(found)
    if readable.document is None:
        raise Http404(readable.problem)
    reading.staff_read_record(invoice=found, by=request.user, what="pdf")
    response = HttpResponse(pdf_render.invoice_pdf(found, readable.document), content_type="application/pdf")
    name = blobs.safe_filename(f"rechnung-{found.invoice_number or found.pk}.pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


def invoice_original(request: HttpRequest, invoice_id: int) -> HttpResponse:
    found = _readable(request, invoice_id)
    if isinstance(found, HttpResponse):
        return found
    reading.staff_read_record(invoice=found, by=request.user, what="original")
    extension = "pdf" if found.validation_report.get("container") == "pdf" else "xml"
    return FileResponse(
        blobs.open_blob(found.blob),
        as_attachment=True,
        filename=f"eingang-{found.pk}.{extension}",
        content_type="application/octet-stream",
    )


def invoice_attachment(request: HttpRequest, invoice_id: int, number: int) -> HttpResponse:
    found = _readable(request, invoice_id)
    if isinstance(found, HttpResponse):
        return found
    readable = reading.invoice_document(found)
    attachments = readable.document.attachments if readable.document else ()
    if not 1 <= number <= len(attachments) or attachments[number - 1].content is None:
        raise Http404("Diese Anlage gibt es nicht.")
    attachment = attachments[number - 1]
    reading.staff_read_record(invoice=found, by=request.user, what=f"attachment {number}")
    # Never served inline: the supplier chose the bytes and the MIME code (BT-125), so no HTML/SVG
    # from an invoice can run in this site's origin.
    response = HttpResponse(attachment.content, content_type="application/octet-stream")
    name = blobs.safe_filename(attachment.filename or f"anlage-{number}")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
