"""The level of assurance a form needs (its definition's ``level_of_assurance``, eIDAS Art. 8)
against the level this session's login reached: a lower login gets a page asking for a login
at the needed level (a step-up through the OpenID provider, ``acr_values``), never the form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rathaus.accounts import selectors as account_selectors
from rathaus.domain.eforms.definition import FormDefinition, LevelOfAssurance

# The accounts' labels of the eIDAS levels ("niedrig", "substanziell", "hoch"), and one for a
# login without a level.
LEVEL_LABELS = {
    LevelOfAssurance.NONE: _("keines"),
    **{LevelOfAssurance(name): level.label for name, level in account_selectors.EIDAS_LEVEL_NAMES.items()},
}


def reached(request: HttpRequest) -> LevelOfAssurance:
    """The level of this session's login ("none" for one without a level)."""
    return LevelOfAssurance(account_selectors.session_eidas_name(request) or LevelOfAssurance.NONE)


def step_up(request: HttpRequest, definition: FormDefinition, *, back_to: str) -> HttpResponse | None:
    """None when the session's login is good enough for the form; else the page (403) offering
    the login at the form's level, which leads back to ``back_to``."""
    needed = definition.level_of_assurance
    has = reached(request)
    if has.rank >= needed.rank:
        return None
    login = reverse("accounts:oidc-start") + "?" + urlencode({"next": back_to, "niveau": needed.value})
    context = {"needed": LEVEL_LABELS[needed], "has": LEVEL_LABELS[has], "login_url": login}
    return render(request, "eforms/step_up.html", context, status=403)
