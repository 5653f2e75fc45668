from django.urls import path
from django.views.generic import TemplateView

from . import directory_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("mein-konto/", views.account, name="account"),
    path("mein-konto/postfach/", views.postbox, name="postbox"),
    path("mein-konto/postfach/<int:message_id>/", views.postbox_message, name="postbox_message"),
    path(
        "mein-konto/postfach/<int:message_id>/anhang/<int:attachment_id>/",
        views.postbox_attachment,
        name="postbox_attachment",
    ),
    path("impressum/", TemplateView.as_view(template_name="portal/imprint.html"), name="imprint"),
    path("datenschutz/", TemplateView.as_view(template_name="portal/privacy.html"), name="privacy"),
    path(
        "barrierefreiheit/",
        TemplateView.as_view(template_name="portal/accessibility.html"),
        name="accessibility",
    ),
    path(
        "leichte-sprache/",
        TemplateView.as_view(template_name="portal/easy_language.html"),
        name="easy_language",
    ),
    path("kontakt/", TemplateView.as_view(template_name="portal/contact.html"), name="contact"),
    path("suche/", directory_views.search_page, name="search"),
    path("leistungen/", directory_views.service_list, name="services"),
    path("leistungen/<slug:slug>/", directory_views.service_detail, name="service"),
    path("dienststellen/", directory_views.office_list, name="offices"),
    path("dienststellen/<slug:slug>/", directory_views.office_detail, name="office"),
    path("lebenslagen/", directory_views.life_situation_list, name="life_situations"),
    path("lebenslagen/<slug:slug>/", directory_views.life_situation_detail, name="life_situation"),
    path("sitemap/", directory_views.sitemap_page, name="sitemap"),
    path("sitemap.xml", directory_views.sitemap_xml, name="sitemap_xml"),
]
