from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django_otp.admin import OTPAdminSite

# Staff reach the admin only after password and TOTP, like every other staff page.
admin.site.__class__ = OTPAdminSite

handler400 = "rathaus.portal.views.bad_request"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login form is not throttled and tells a right password from a wrong code:
    # staff reach the admin through the staff login (password, then TOTP, throttled) too.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="accounts:staff-login", query_string=True),
        name="admin-login-redirect",
    ),
    path("admin/", admin.site.urls),
    path("anmelden/", include("rathaus.accounts.urls")),
    path("mein-konto/api-zugang/", include("rathaus.accounts.token_urls")),
    path("", include("rathaus.eforms.urls")),
    path("", include("rathaus.taxoffice.urls")),
    path("mein-konto/", include("rathaus.registers.urls")),
    path("register/anfragen/", include("rathaus.registers.exchange_urls")),
    path("register/", include("rathaus.registers.staff_urls")),
    path("api/v1/", include("rathaus.api.urls")),
    path("e-akte/archiv/", include("rathaus.efile.archive.urls")),
    path("e-akte/", include("rathaus.efile.urls")),
    path("e-rechnung/", include("rathaus.einvoice.urls")),
    path("e-rechnung/", include("rathaus.einvoice.intake_urls")),
    path("termine/", include("rathaus.appointments.urls")),
    path("", include("rathaus.payments.urls")),
    path("", include("rathaus.cadastre.urls")),
    path("", include("rathaus.portal.urls")),
]

if settings.DEMO_IDP_ENABLED:
    # The built-in demo OpenID provider (never in a deployment with real residents).
    urlpatterns.insert(0, path("demo-idp/", include("rathaus.accounts.demo_idp.urls")))
