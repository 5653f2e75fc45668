from django.urls import path

from . import staff_views

app_name = "einvoice"

urlpatterns = [
    # The receiving authorities (staff): inbox, checks, payment order, HKR export.
    path("eingang/", staff_views.inbox, name="staff-inbox"),
    path("eingang/<int:invoice_id>/", staff_views.detail, name="staff-detail"),
    path("eingang/<int:invoice_id>/original/", staff_views.original, name="staff-original"),
    path("eingang/<int:invoice_id>/sachlich/", staff_views.approve_factual, name="staff-approve-factual"),
    path(
        "eingang/<int:invoice_id>/rechnerisch/",
        staff_views.approve_arithmetic,
        name="staff-approve-arithmetic",
    ),
    path("eingang/<int:invoice_id>/anordnen/", staff_views.order_payment, name="staff-order-payment"),
    path("eingang/<int:invoice_id>/zurueckweisen/", staff_views.decline, name="staff-decline"),
    path("eingang/<int:invoice_id>/bezahlt/", staff_views.mark_paid, name="staff-mark-paid"),
    path("eingang/<int:invoice_id>/ablegen/", staff_views.file_again, name="staff-file"),
    path("eingang/export/", staff_views.export_create, name="staff-export-create"),
    path("eingang/export/<int:export_id>/", staff_views.export_download, name="staff-export-download"),
    # The Leitweg-ID routing table (staff with the permission einvoice.change_leitwegroute).
    path("routing/", staff_views.routes, name="staff-routes"),
    path("routing/<int:route_id>/", staff_views.route_edit, name="staff-route-edit"),
]
