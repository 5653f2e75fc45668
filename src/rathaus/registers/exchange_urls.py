"""Staff pages of the register offices for the data exchange (``/register/anfragen/``)."""

from django.urls import path

from . import exchange_views

app_name = "exchange_desk"
urlpatterns = [
    path("", exchange_views.queue, name="queue"),
    path("statistik/", exchange_views.statistics, name="statistics"),
    path("<int:exchange_id>/", exchange_views.decide, name="decide"),
    path("<int:exchange_id>/freigeben/", exchange_views.release, name="release"),
    path("<int:exchange_id>/ablehnen/", exchange_views.refuse, name="refuse"),
]
