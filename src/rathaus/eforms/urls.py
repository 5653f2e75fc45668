from django.urls import path

from . import views

app_name = "eforms"

urlpatterns = [
    path("online-antrag/", views.forms_list, name="forms"),
    path("online-antrag/leistungskatalog.xml", views.catalogue, name="catalogue"),
    path("online-antrag/<slug:form_id>/", views.form_start, name="start"),
    path("online-antrag/<slug:form_id>/beginnen/", views.application_start, name="begin"),
    path("antrag/<uuid:public_id>/", views.application_detail, name="application"),
    path("antrag/<uuid:public_id>/zusammenfassung/", views.application_summary, name="summary"),
    path("antrag/<uuid:public_id>/<slug:step_id>/", views.application_step, name="step"),
    path("mein-konto/antraege/", views.my_applications, name="mine"),
]
