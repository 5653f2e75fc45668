from django.urls import path

from . import views

app_name = "efile"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("vorgang/<int:case_id>/", views.case_detail, name="case-detail"),
    path("vorgang/<int:case_id>/dokument/", views.document_upload, name="document-upload"),
    path("vorgang/<int:case_id>/scans/", views.scan_upload, name="scan-upload"),
    path(
        "vorgang/<int:case_id>/dokument/<int:document_id>/texterkennung/",
        views.document_ocr_retry,
        name="document-ocr-retry",
    ),
    path("vorgang/<int:case_id>/notiz/", views.case_note, name="case-note"),
    path("vorgang/<int:case_id>/bescheid/", views.bescheid_issue, name="bescheid-issue"),
    path("vorgang/<int:case_id>/abschliessen/", views.case_close, name="case-close"),
    path("vorgang/<int:case_id>/abgeben/", views.case_forward, name="case-forward"),
    path("vorgang/<int:case_id>/zuweisen/", views.case_assign, name="case-assign"),
    path("vorgang/<int:case_id>/vertraulichkeit/", views.case_confidentiality, name="case-confidentiality"),
    path("vorgang/<int:case_id>/wiedervorlage/", views.case_resubmission, name="case-resubmission"),
    path("version/<int:version_id>/herunterladen/", views.version_download, name="version-download"),
    path("version/<int:version_id>/seite/<int:page>/", views.version_page, name="version-page"),
]
