from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("einwilligungen/", views.consents, name="consents"),
    path("einwilligungen/erteilen/", views.consent_give, name="consent-give"),
    path("einwilligungen/<int:consent_id>/widerrufen/", views.consent_withdraw, name="consent-withdraw"),
    path("datenschutzcockpit/", views.cockpit, name="cockpit"),
    path("datenschutzcockpit/daten.json", views.cockpit_json, name="cockpit-json"),
    path("datenschutzcockpit/daten.pdf", views.cockpit_pdf, name="cockpit-pdf"),
    path("datenschutzcockpit/alle-meine-daten.json", views.art15_json, name="art15-json"),
    path("datenschutzcockpit/alle-meine-daten.pdf", views.art15_pdf, name="art15-pdf"),
    path("angebote/", views.offers, name="offers"),
    path("angebote/<int:offer_id>/annehmen/", views.offer_accept, name="offer-accept"),
    path("angebote/<int:offer_id>/ablehnen/", views.offer_decline, name="offer-decline"),
]
