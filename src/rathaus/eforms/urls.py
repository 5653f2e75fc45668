from django.urls import path

from . import casework_views, views

app_name = "eforms"

urlpatterns = [
    path("online-antrag/", views.forms_list, name="forms"),
    path("online-antrag/leistungskatalog.xml", views.catalogue, name="catalogue"),
    path("online-antrag/<slug:form_id>/", views.form_start, name="start"),
    path("online-antrag/<slug:form_id>/beginnen/", views.application_start, name="begin"),
    path("antrag/<uuid:public_id>/", views.application_detail, name="application"),
    path("antrag/<uuid:public_id>/zusammenfassung/", views.application_summary, name="summary"),
    path(
        "antrag/<uuid:public_id>/rueckfrage/<int:request_id>/antworten/", casework_views.answer, name="answer"
    ),
    path("antrag/<uuid:public_id>/<slug:step_id>/", views.application_step, name="step"),
    path("mein-konto/antraege/", views.my_applications, name="mine"),
    # Staff: beside the E-Akte case of an online application (linked from the case page).
    path(
        "e-akte/vorgang/<int:case_id>/online-antrag/",
        casework_views.staff_application,
        name="staff-application",
    ),
    path(
        "e-akte/vorgang/<int:case_id>/online-antrag/rueckfrage/",
        casework_views.staff_request,
        name="staff-request",
    ),
    path(
        "e-akte/vorgang/<int:case_id>/online-antrag/entscheidung/",
        casework_views.staff_decide,
        name="staff-decide",
    ),
]
