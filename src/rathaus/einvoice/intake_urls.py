"""URLs of the supplier pages and the readable invoice view (namespace ``einvoice_intake``)."""

from django.urls import path

from . import intake_views

app_name = "einvoice_intake"

urlpatterns = [
    path("einreichen/", intake_views.upload, name="upload"),
    path("meine/", intake_views.my_invoices, name="mine"),
    path("rechnung/<int:invoice_id>/", intake_views.invoice, name="invoice"),
    path("rechnung/<int:invoice_id>/pdf/", intake_views.invoice_pdf, name="invoice-pdf"),
    path("rechnung/<int:invoice_id>/original/", intake_views.invoice_original, name="invoice-original"),
    path(
        "rechnung/<int:invoice_id>/anlage/<int:number>/",
        intake_views.invoice_attachment,
        name="invoice-attachment",
    ),
]
