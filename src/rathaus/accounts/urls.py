from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.login, name="login"),
    path("eid/", views.oidc_start, name="oidc-start"),
    path("eid/rueckkehr/", views.oidc_callback, name="oidc-callback"),
    path("mitarbeitende/", views.staff_login, name="staff-login"),
    path("mitarbeitende/code/", views.staff_otp, name="staff-otp"),
    path("mitarbeitende/konto/", views.staff_home, name="staff-home"),
    path("passwort/", views.password_change, name="password-change"),
    path("abmelden/", views.logout, name="logout"),
]
