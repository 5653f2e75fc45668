"""The demo IdP's endpoints. The namespace is django-oauth-toolkit's, whose views reverse it."""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from .views import DemoAuthorizeView

app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", DemoAuthorizeView.as_view(), name="authorize"),
    path("token/", oauth_views.TokenView.as_view(), name="token"),
    path("userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
    re_path(
        r"^\.well-known/openid-configuration$",
        oauth_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    # RFC 8414 metadata under the issuer path; django-oauth-toolkit also derives the RFC 9207
    # ``iss`` authorization-response parameter from this route, so it equals the OIDC issuer.
    path(
        ".well-known/oauth-authorization-server",
        oauth_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
]
