from django.urls import path

from . import staff_views

app_name = "register"
urlpatterns = [
    path("", staff_views.index, name="index"),
    path("personen/<int:person_id>/", staff_views.person, name="person"),
    path("personen/<int:person_id>/berichtigung/", staff_views.correction_propose, name="correction-propose"),
    path("personen/<int:person_id>/umzug/", staff_views.move, name="move"),
    path("personen/<int:person_id>/sterbefall/", staff_views.death, name="death"),
    path(
        "berichtigungen/<int:correction_id>/freigeben/",
        staff_views.correction_approve,
        name="correction-approve",
    ),
    path(
        "berichtigungen/<int:correction_id>/ablehnen/",
        staff_views.correction_reject,
        name="correction-reject",
    ),
]
