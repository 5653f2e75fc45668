"""The API keys page of an organisation ("Mein Konto" → "API-Zugang"): issue, see, revoke.

A new key's plaintext is shown once, on the answer to the POST that made it, and never again
(only its SHA-256 is kept). Staff and citizens have no API keys here; operators issue other
kinds with ``rathaus token``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.kernel.exceptions import NotFound

from . import selectors, services
from .forms import OrganisationApiTokenForm
from .models import User


def _organisation_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or user.kind != User.Kind.ORGANISATION or user.organisation_id is None:
        raise PermissionDenied(_("API-Schlüssel gibt es nur für Anmeldungen einer Organisation."))
    return user


def _form(data: object = None) -> OrganisationApiTokenForm:
    return OrganisationApiTokenForm(
        data,  # type: ignore[arg-type]
        scopes={key: str(label) for key, label in services.ORGANISATION_SCOPES.items()},
        days=services.ORGANISATION_TOKEN_DAYS,
    )


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = _organisation_user(request)
    form = _form(request.POST if request.method == "POST" else None)
    issued = plaintext = None
    if request.method == "POST" and form.is_valid():
        try:
            issued, plaintext = services.organisation_api_token_issue(
                user=user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                valid_days=form.cleaned_data["valid_days"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = _form()
    status = 422 if request.method == "POST" and issued is None else 200
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_tokens_of_organisation(user.organisation_id),  # type: ignore[arg-type]
            "issued": issued,
            "plaintext": plaintext,
            "scope_labels": services.ORGANISATION_SCOPES,
        },
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _organisation_user(request)
    try:
        token = services.organisation_api_token_revoke(user=user, token_id=token_id)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("Der API-Schlüssel „%(name)s“ ist widerrufen.") % {"name": token.name})
    return redirect("api_tokens:list")
