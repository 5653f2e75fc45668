"""Reads for accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import ApiToken, StaffRole, User

if TYPE_CHECKING:
    from rathaus.directory.types import Office
    from rathaus.registers.types import Person


def staff_offices(user: User) -> QuerySet[Office]:
    """The offices in which ``user`` holds any role."""
    from rathaus.directory.types import Office

    if not user.is_authenticated or user.kind != User.Kind.STAFF:
        return Office.objects.none()
    return Office.objects.filter(staff_roles__user=user).distinct().order_by("name")


# Roles that work on an office's matters (cases, invoices, claims); administrators manage logins.
WORKING_ROLES = (StaffRole.Role.SACHBEARBEITUNG, StaffRole.Role.LEITUNG)


def working_offices(user: User) -> QuerySet[Office]:
    """The offices in which ``user`` works on matters (a role of ``WORKING_ROLES``), by name."""
    return staff_offices(user).filter(staff_roles__user=user, staff_roles__role__in=WORKING_ROLES).distinct()


def roles_of(user: User) -> QuerySet[StaffRole]:
    """``user``'s staff roles with their offices, by office name and role."""
    return StaffRole.objects.filter(user=user).select_related("office").order_by("office__name", "role")


def user_has_role(user: User, office: Office, role: str) -> bool:
    """Whether ``user`` holds exactly ``role`` in ``office``. Roles do not imply each other: an
    office's administrators manage logins, they do not read its cases."""
    if not user.is_authenticated or user.kind != User.Kind.STAFF or not user.is_active:
        return False
    return StaffRole.objects.filter(user=user, office=office, role=role).exists()


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(owner=user).order_by("-created_at")


def api_tokens(*, username: str | None = None, include_unusable: bool = False) -> list[ApiToken]:
    """Tokens for the operator's list, newest first; usable ones only unless asked."""
    tokens = ApiToken.objects.select_related("owner").order_by("-created_at")
    if username:
        tokens = tokens.filter(owner__username=username)
    if not include_unusable:
        tokens = tokens.filter(revoked_at__isnull=True).exclude(expires_at__lte=timezone.now())
    return list(tokens)


def api_tokens_by_prefix(prefix: str) -> list[ApiToken]:
    """Tokens whose first eight characters are ``prefix`` (revoked ones included)."""
    return list(ApiToken.objects.select_related("owner").filter(prefix=prefix[:8])[:2])


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def usable_api_tokens_with_prefix(prefix: str) -> QuerySet[ApiToken]:
    now = timezone.now()
    return (
        ApiToken.objects.select_related("owner", "organisation")
        .filter(prefix=prefix, revoked_at__isnull=True, owner__is_active=True)
        .exclude(expires_at__lte=now)
    )


def register_person_by_number(register_number: str) -> Person | None:
    """The register person with exactly this register number, via the registers' own search."""
    from rathaus.registers.selectors import person_search

    if not register_number:
        return None
    matches = [
        p for p in person_search(query=register_number, limit=5) if p.register_number == register_number
    ]
    return matches[0] if len(matches) == 1 else None


EIDAS_SESSION_KEY = "rathaus_eidas_level"


def session_eidas_level(request: HttpRequest) -> str:
    """The eIDAS level of assurance (an ``EidasLevel`` value) this session's login reached; "" if none."""
    return str(request.session.get(EIDAS_SESSION_KEY, ""))


def api_tokens_of_organisation(organisation_id: int) -> list[ApiToken]:
    """An organisation's API tokens for its self-service page: usable ones first, newest first."""
    tokens = ApiToken.objects.filter(organisation_id=organisation_id).select_related("owner")
    now = timezone.now()
    return sorted(
        tokens.order_by("-created_at"),
        key=lambda token: not token.is_usable(now=now),
    )
