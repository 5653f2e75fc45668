"""Template tags of the Terminvergabe for other apps' pages ("Mein Konto")."""

from __future__ import annotations

from typing import Any

from django import template

from .. import selectors, tokens

register = template.Library()


@register.simple_tag(takes_context=True)
def my_appointments(context: template.Context) -> list[dict[str, Any]]:
    """The logged-in citizen's upcoming appointments, each with its personal link token."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(user, "kind", "") != "citizen":
        return []
    return [
        {"appointment": a, "token": tokens.link_token(a)} for a in selectors.citizen_appointments(user=user)
    ]
