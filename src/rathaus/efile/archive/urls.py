from django.urls import path

from . import views

app_name = "efile_archive"

urlpatterns = [
    path("", views.disposal_list, name="list"),
    path("anbieten/", views.disposal_offer, name="offer"),
    path("<int:disposal_id>/", views.disposal_detail, name="detail"),
    path("<int:disposal_id>/bewerten/", views.disposal_evaluate, name="evaluate"),
    path("<int:disposal_id>/uebergeben/", views.disposal_transfer, name="transfer"),
    path("<int:disposal_id>/bestaetigen/", views.disposal_receipt, name="receipt"),
    path("<int:disposal_id>/loeschen/", views.disposal_delete, name="delete"),
    path("<int:disposal_id>/datei/<str:kind>/", views.disposal_download, name="download"),
]
