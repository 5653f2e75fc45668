from django.urls import path

from . import views

app_name = "cadastre"

urlpatterns = [
    path("liegenschaftskarte/", views.parcels, name="parcels"),
    path("liegenschaftskarte/flurstueck/<int:parcel_id>/", views.parcel_detail, name="parcel"),
    path("liegenschaftskarte/flurstueck/<int:parcel_id>/bestellen/", views.order_create, name="order-create"),
    path("liegenschaftskarte/bestellung/<int:order_id>/", views.order_detail, name="order"),
    path("liegenschaftskarte/bestellung/<int:order_id>/<str:which>.pdf", views.order_file, name="order-file"),
]
