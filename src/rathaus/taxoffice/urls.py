from django.urls import path

from . import views

app_name = "taxoffice"

urlpatterns = [
    path("mein-konto/steuererklaerungen/", views.my_returns, name="mine"),
    path("mein-konto/steuererklaerungen/<int:tax_return_id>/", views.my_return, name="mine-detail"),
    # Staff of a tax office.
    path("finanzamt/", views.staff_list, name="staff-list"),
    path("finanzamt/erklaerung/<int:tax_return_id>/", views.staff_return, name="staff-return"),
    path("finanzamt/erklaerung/<int:tax_return_id>/stand/", views.staff_status, name="staff-status"),
]
