"""Authentication backends: passwords for staff and organisations, OpenID Connect for citizens."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import OidcIdentity, User


class PasswordBackend(ModelBackend):
    """Django's password check, for staff and organisation accounts only.

    Citizens log in with their eID through an OpenID provider; their accounts have no usable
    password. A citizen account is refused *after* the hasher has run, so the answer takes
    as long as for any other wrong combination (ModelBackend also hashes for unknown users).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            User().set_password(password)  # the same work as for a wrong password
            return None
        if not user.has_usable_password():
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and user.kind in (
            User.Kind.STAFF,
            User.Kind.ORGANISATION,
        )


class OidcBackend:
    """Accepts an ``OidcIdentity`` whose ID token the relying party has already verified."""

    def authenticate(
        self, request: HttpRequest | None, *, oidc_identity: OidcIdentity | None = None, **kwargs: Any
    ) -> User | None:
        if oidc_identity is None:
            return None
        user = oidc_identity.user
        if not user.is_active or user.kind != User.Kind.CITIZEN:
            return None
        return user

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
