from django.urls import path

from . import staff_views, views

app_name = "payments"

urlpatterns = [
    path("zahlungen/", views.my_claims, name="my-claims"),
    path("zahlungen/forderung/<str:kassenzeichen>/", views.claim_detail, name="claim"),
    path("zahlungen/forderung/<str:kassenzeichen>/bezahlen/", views.pay, name="pay"),
    path(
        "zahlungen/forderung/<str:kassenzeichen>/zahlungsaufforderung.pdf", views.claim_pdf, name="claim-pdf"
    ),
    path(
        "zahlungen/forderung/<str:kassenzeichen>/quittung/<int:payment_id>.pdf",
        views.receipt_pdf,
        name="receipt-pdf",
    ),
    path("zahlungen/rueckkehr/<str:request_id>/", views.payment_return, name="return"),
    path("zahlungen/sandbox/zahlung/<str:transaction_id>/", views.sandbox_pay, name="sandbox-pay"),
    path("zahlungen/sandbox/benachrichtigungen/", views.sandbox_deliver, name="sandbox-deliver"),
    path("kasse/", staff_views.dashboard, name="staff"),
    path("kasse/forderung/<str:kassenzeichen>/", staff_views.claim_detail, name="staff-claim"),
    path("kasse/forderung/<str:kassenzeichen>/erstattung/", staff_views.refund_request, name="staff-refund"),
    path("kasse/erstattung/<int:refund_id>/", staff_views.refund_decide, name="staff-refund-decide"),
    path("kasse/gutschriften/", staff_views.credits, name="staff-credits"),
    path(
        "kasse/gutschriften/<int:credit_id>/zuordnen/", staff_views.credit_assign, name="staff-credit-assign"
    ),
    path("kasse/kontoauszug/", staff_views.camt_upload, name="staff-camt"),
    path("kasse/hkr-export.csv", staff_views.hkr_export, name="staff-hkr"),
    path("kasse/bereitstellung/", staff_views.fulfilments, name="staff-fulfilments"),
]
