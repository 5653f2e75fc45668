from django.urls import path

from . import staff_views, views

app_name = "appointments"

urlpatterns = [
    path("", views.search, name="search"),
    path("reservieren/", views.reserve, name="reserve"),
    path("t/<str:token>/", views.manage, name="manage"),
    path("t/<str:token>/angaben/", views.contact, name="contact"),
    path("t/<str:token>/mit-konto/", views.confirm_with_account, name="confirm-account"),
    path("t/<str:token>/kalender.ics", views.ics, name="ics"),
    path("t/<str:token>/stornieren/", views.cancel, name="cancel"),
    path("t/<str:token>/verschieben/", views.move, name="move"),
    path("bestaetigen/<str:token>/", views.verify, name="verify"),
    path("aufruf/<slug:slug>/", staff_views.call_display, name="call-display"),
    path("dienststelle/", staff_views.day_view, name="staff"),
    path("dienststelle/anmelden/", staff_views.check_in, name="staff-check-in"),
    path("dienststelle/ohne-termin/", staff_views.walk_in, name="staff-walk-in"),
    path("dienststelle/aufrufen/", staff_views.call, name="staff-call"),
    path("dienststelle/besuch/<int:appointment_id>/", staff_views.outcome, name="staff-outcome"),
    path("dienststelle/statistik/", staff_views.statistics, name="staff-statistics"),
]
