"""Reads for accounts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import ApiToken, EidasLevel, Organisation, StaffRole, User

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


def offices_with_role(user: User, role: str) -> QuerySet[Office]:
    """The offices in which ``user`` holds exactly ``role``, by name."""
    return staff_offices(user).filter(staff_roles__user=user, staff_roles__role=role).distinct()


def working_staff(*, office_ids: Iterable[int]) -> QuerySet[User]:
    """Active staff with a role of ``WORKING_ROLES`` in one of the offices ``office_ids``, by name."""
    return (
        User.objects.filter(
            kind=User.Kind.STAFF,
            is_active=True,
            staff_roles__office_id__in=list(office_ids),
            staff_roles__role__in=WORKING_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def staff_with_roles() -> QuerySet[User]:
    """Staff accounts holding a role in any office (active or not), by id."""
    return User.objects.filter(kind=User.Kind.STAFF, staff_roles__isnull=False).distinct().order_by("pk")


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
    tokens = ApiToken.objects.select_related("owner", "organisation", "office").order_by("-created_at")
    if username:
        tokens = tokens.filter(owner__username=username)
    if not include_unusable:
        tokens = tokens.filter(revoked_at__isnull=True).exclude(expires_at__lte=timezone.now())
    return list(tokens)


def api_tokens_by_prefix(prefix: str) -> list[ApiToken]:
    """Tokens whose first eight characters are ``prefix`` (revoked ones included)."""
    return list(ApiToken.objects.select_related("owner").filter(prefix=prefix[:8])[:2])


def user_by_username(username: str, *, active_only: bool = True) -> User | None:
    users = User.objects.filter(username=username)
    return (users.filter(is_active=True) if active_only else users).first()


def citizen_of_person(*, person_id: int) -> User | None:
    """The active citizen account linked to register person ``person_id``, if there is one."""
    return User.objects.filter(person_id=person_id, kind=User.Kind.CITIZEN, is_active=True).first()


def user_by_id(user_id: int) -> User | None:
    """The account with this id, active or not (the caller decides what an inactive one may do)."""
    return User.objects.filter(pk=user_id).first()


def full_names(user_ids: Iterable[int]) -> dict[int, str]:
    """Each existing account's full name by id (for lists that show people, not user names)."""
    return {user.pk: user.full_name for user in User.objects.filter(pk__in=list(user_ids))}


def organisation_by_id(organisation_id: int) -> Organisation | None:
    return Organisation.objects.filter(pk=organisation_id).first()


def organisations_named(name_or_id: str) -> list[Organisation]:
    """Organisations an operator names: by number (its id) or by its name, compared without
    regard to case; at most five."""
    text = name_or_id.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return list(Organisation.objects.filter(pk=int(text)))
    return list(Organisation.objects.filter(name__iexact=text).order_by("pk")[:5])


def usable_api_tokens_with_prefix(prefix: str) -> QuerySet[ApiToken]:
    now = timezone.now()
    return (
        ApiToken.objects.select_related("owner", "organisation", "office")
        .filter(prefix=prefix, revoked_at__isnull=True, owner__is_active=True)
        .exclude(expires_at__lte=now)
    )


def register_person_by_number(register_number: str) -> Person | None:
    """The living register person with exactly this register number: the login's own entry
    (``registers.selectors.person_for_login``; matching a login is not a read about a third
    person, decision 0105)."""
    from rathaus.registers.selectors import person_for_login

    return person_for_login(register_number=register_number)


EIDAS_SESSION_KEY = "rathaus_eidas_level"


def session_eidas_level(request: HttpRequest) -> str:
    """The eIDAS level of assurance (an ``EidasLevel`` value) this session's login reached; "" if none."""
    return str(request.session.get(EIDAS_SESSION_KEY, ""))


# The short names services use for the levels (a form definition's ``level_of_assurance``).
EIDAS_LEVEL_NAMES = {"low": EidasLevel.LOW, "substantial": EidasLevel.SUBSTANTIAL, "high": EidasLevel.HIGH}


def session_eidas_name(request: HttpRequest) -> str:
    """The short name ("low", "substantial", "high") of the level this session's login reached;
    "" for a login without one (a password, a provider that sent no known ``acr``)."""
    level = session_eidas_level(request)
    return next((name for name, value in EIDAS_LEVEL_NAMES.items() if value == level), "")


def organisation_user_by_email(email: str) -> User | None:
    """The active organisation login with this e-mail address (compared case-insensitively), or None."""
    if not email:
        return None
    return (
        User.objects.filter(kind=User.Kind.ORGANISATION, is_active=True, email__iexact=email)
        .select_related("organisation")
        .first()
    )


def api_tokens_of_organisation(organisation_id: int) -> list[ApiToken]:
    """An organisation's API tokens for its self-service page: usable ones first, newest first."""
    tokens = ApiToken.objects.filter(organisation_id=organisation_id).select_related("owner")
    now = timezone.now()
    return sorted(
        tokens.order_by("-created_at"),
        key=lambda token: not token.is_usable(now=now),
    )
