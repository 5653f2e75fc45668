"""The demo IdP's login page: pick a synthetic resident and a level of assurance."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views.mixins import OAuthLibMixin

from rathaus.accounts.models import EidasLevel

LEVELS = [EidasLevel.LOW, EidasLevel.SUBSTANTIAL, EidasLevel.HIGH]


def _levels(request: HttpRequest) -> tuple[list[EidasLevel], str]:
    """The levels the page offers and the one chosen at first. A client asking for a level
    (``acr_values``, a step-up) is offered that level and the higher ones only, the asked one
    first; otherwise every level, the highest chosen (a login with the Online-Ausweis)."""
    asked = [value for value in request.GET.get("acr_values", "").split() if value in LEVELS]
    if not asked:
        return LEVELS, LEVELS[-1].value
    lowest = min(LEVELS.index(EidasLevel(value)) for value in asked)
    return LEVELS[lowest:], LEVELS[lowest].value


def _person_search(query: str) -> list:
    from rathaus.registers.selectors import person_search

    return list(person_search(query=query, limit=20)) if query.strip() else []


@method_decorator(never_cache, name="dispatch")
class DemoAuthorizeView(OAuthLibMixin, View):
    """OpenID Connect authorization endpoint (Core § 3.1.2) of the demo IdP.

    GET shows the search form (the OAuth parameters stay in the query string); POST logs in
    as the chosen resident and redirects back to the client with an authorization code.
    """

    template_name = "accounts/demo_idp/authorize.html"

    def _error(self, error: OAuthToolkitError) -> HttpResponse:
        redirect, response = self.error_response(error)
        if redirect:
            return OAuth2ResponseRedirect(response["url"], oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)
        return render(
            self.request,
            "accounts/demo_idp/error.html",
            {"description": response["error"].description},
            status=400,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self._error(error)
        query = request.GET.get("suche", "")
        levels, chosen = _levels(request)
        return render(
            request,
            self.template_name,
            {
                "query": query,
                "people": _person_search(query),
                "levels": levels,
                "chosen": chosen,
                "searched": bool(query.strip()),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        from rathaus.accounts.selectors import register_person_by_number
        from rathaus.accounts.services import citizen_account_for_person

        try:
            scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self._error(error)
        errors = []
        person = register_person_by_number(request.POST.get("register_number", ""))
        if person is None:
            errors.append(_("Bitte wählen Sie eine Person aus."))
        acr = request.POST.get("acr", "")
        levels, chosen = _levels(request)
        if acr not in levels:
            errors.append(_("Bitte wählen Sie ein Vertrauensniveau."))
        if errors:
            return render(
                request,
                self.template_name,
                {
                    "query": "",
                    "people": [],
                    "levels": levels,
                    "chosen": chosen,
                    "errors": errors,
                    "searched": False,
                },
                status=400,
            )
        # The resident "logs in" at the IdP only for this request: the grant records who it
        # was; no session at Rathaus is created here (the relying party does that).
        request.user = citizen_account_for_person(person=person)
        oauth_request = credentials.pop("request", None)
        application = getattr(oauth_request, "client", None)
        credentials["demo_acr"] = acr
        try:
            uri, _headers, _body, _status = self.create_authorization_response(
                request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
            )
        except OAuthToolkitError as error:
            return self._error(error)
        schemes = (
            application.get_allowed_schemes() if application else oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
        )
        return OAuth2ResponseRedirect(uri, schemes)
