"""Writes for accounts: the only place that creates or changes logins, roles and API tokens.

Every function runs in one transaction and writes its audit entry inside it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.kernel import audit
from rathaus.kernel.exceptions import InvalidInput, NotFound, PermissionDenied

from . import throttling
from .models import (
    ApiToken,
    DemoIdpGrant,
    EidasLevel,
    LoginEvent,
    OidcIdentity,
    Organisation,
    StaffRole,
    User,
)
from .selectors import register_person_by_number

if TYPE_CHECKING:
    from rathaus.directory.types import Office

_SCOPE = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")


def _totp_key_hex(secret: str) -> str:
    """django-otp keeps TOTP keys as hex; authenticator apps show them as base32 (RFC 4648 § 6)."""
    cleaned = secret.replace(" ", "").upper()
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(
            _("Der TOTP-Schlüssel ist kein gültiger Base32-Text."), code="totp_secret"
        ) from exc
    if len(raw) < 10:
        raise ValidationError(_("Der TOTP-Schlüssel muss mindestens 80 Bit lang sein."), code="totp_secret")
    return raw.hex()


@transaction.atomic
def staff_user_create(
    *,
    username: str,
    full_name: str,
    password: str,
    office: Office,
    role: str,
    totp_secret: str | None = None,
) -> User:
    """Create a staff login with a role in ``office`` and, given a base32 secret, a confirmed TOTP device."""
    if role not in StaffRole.Role.values:
        raise ValidationError(_("Unbekannte Rolle: %(role)s") % {"role": role}, code="role")
    given, _sep, family = full_name.strip().rpartition(" ")
    user = User(username=username, first_name=given or family, last_name=family if given else "")
    user.kind = User.Kind.STAFF
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    StaffRole.objects.create(user=user, office=office, role=role)
    if totp_secret:
        TOTPDevice.objects.create(user=user, name="TOTP", key=_totp_key_hex(totp_secret), confirmed=True)
    audit.record(
        actor=None,
        action="accounts.staff_user_created",
        target=user,
        details={"office": office.pk, "role": role, "totp": bool(totp_secret)},
    )
    return user


@transaction.atomic
def staff_role_grant(*, user: User, office: Office, role: str, by: User | None) -> StaffRole:
    if user.kind != User.Kind.STAFF:
        raise ValidationError(_("Rollen können nur Beschäftigten zugewiesen werden."), code="kind")
    staff_role, _created = StaffRole.objects.get_or_create(user=user, office=office, role=role)
    audit.record(
        actor=by,
        action="accounts.staff_role_granted",
        target=user,
        details={"office": office.pk, "role": role},
    )
    return staff_role


def citizen_account_for_person(*, person: Any) -> User:
    """The citizen account linked to ``person``; created on first use (first eID login)."""
    existing = User.objects.filter(person=person).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            user = User(
                username=f"buerger-{secrets.token_hex(8)}",
                first_name=person.given_names[:150],
                last_name=person.family_name[:150],
                kind=User.Kind.CITIZEN,
                person=person,
            )
            user.set_unusable_password()
            user.save()
            audit.record(actor=None, action="accounts.citizen_account_created", target=user, details={})
            return user
    except IntegrityError:
        # Two first logins at once: the other request created the account (person is unique).
        return User.objects.get(person=person)


@transaction.atomic
def oidc_identity_link(*, issuer: str, subject: str, user: User) -> OidcIdentity:
    """Remember that ``issuer``/``subject`` is ``user``, so later logins need no register match."""
    identity, created = OidcIdentity.objects.get_or_create(
        issuer=issuer, subject=subject, defaults={"user": user}
    )
    if identity.user_id != user.pk:
        raise ValidationError(
            _("Diese Identität ist bereits mit einem anderen Konto verbunden."), code="linked"
        )
    if created:
        audit.record(
            actor=user, action="accounts.oidc_identity_linked", target=user, details={"issuer": issuer}
        )
    return identity


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    vat_id: str = "",
    leitweg_id: str | None = None,
    address: str = "",
    by: User | audit.Actor | None = None,
) -> Organisation:
    """Register an organisation. Only authorities may carry a Leitweg-ID (XRechnung BT-10)."""
    organisation = Organisation(
        name=name.strip(), kind=kind, vat_id=vat_id.strip(), leitweg_id=leitweg_id or None, address=address
    )
    if organisation.leitweg_id and kind != Organisation.Kind.AUTHORITY:
        raise ValidationError({"leitweg_id": _("Nur Behörden haben eine Leitweg-ID.")}, code="leitweg_id")
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor=by, action="accounts.organisation_created", target=organisation, details={"kind": kind}
    )
    return organisation


@transaction.atomic
def organisation_user_create(
    *, organisation: Organisation, username: str, full_name: str, email: str, password: str, by: User | None
) -> User:
    """A login for a person acting for an organisation (password; TOTP optional)."""
    given, _sep, family = full_name.strip().rpartition(" ")
    user = User(
        username=username,
        first_name=given or family,
        last_name=family if given else "",
        email=email,
        kind=User.Kind.ORGANISATION,
        organisation=organisation,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=by,
        action="accounts.organisation_user_created",
        target=user,
        details={"organisation": organisation.pk},
    )
    return user


@transaction.atomic
def organisation_api_account(*, organisation: Organisation, by: User | audit.Actor | None) -> User:
    """The login that owns the API tokens operators issue for ``organisation`` (``rathaus token
    issue --organisation``, e.g. a partner portal's booking token), created and audited on first
    use. It has no password, so nobody logs in with it; the organisation's people see and revoke
    its tokens on their API keys page like their own."""
    username = f"api-organisation-{organisation.pk}"
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        if existing.organisation_id != organisation.pk or existing.kind != User.Kind.ORGANISATION:
            raise ValidationError(
                _("Der Benutzername %(username)s ist schon vergeben.") % {"username": username},
                code="username",
            )
        return existing
    user = User(
        username=username,
        first_name="API-Zugang",
        last_name=organisation.name[:150],
        kind=User.Kind.ORGANISATION,
        organisation=organisation,
    )
    user.set_unusable_password()
    user.save()
    audit.record(
        actor=by,
        action="accounts.organisation_user_created",
        target=user,
        details={"organisation": organisation.pk, "api_only": True},
    )
    return user


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token_plaintext() -> str:
    """256 random bits, URL-safe; never starting with ``-``, so its prefix can be typed as a
    command-line argument (``rathaus token revoke <prefix>``) without being read as an option."""
    while True:
        plaintext = secrets.token_urlsafe(32)
        if not plaintext.startswith("-"):
            return plaintext


@transaction.atomic
def api_token_issue(
    *,
    owner: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    by: User | audit.Actor | None = None,
    office: Office | None = None,
) -> tuple[ApiToken, str]:
    """Issue an API token and return it with its plaintext, which is never stored or shown again.
    The audit entry names ``by`` (an operator's command) or else the owner as who issued it.
    ``office`` binds the token to the office it speaks for (e.g. an authority asking the registers)."""
    bad = [scope for scope in scopes if not isinstance(scope, str) or not _SCOPE.match(scope)]
    if bad:
        raise ValidationError(
            _("Ungültige Berechtigungen: %(scopes)s") % {"scopes": ", ".join(map(str, bad))}, code="scopes"
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("Das Ablaufdatum muss in der Zukunft liegen."), code="expires_at")
    if not name.strip():
        raise ValidationError(_("Bitte geben Sie dem Token einen Namen."), code="name")
    plaintext = _new_token_plaintext()
    token = ApiToken.objects.create(
        owner=owner,
        organisation=owner.organisation,
        office=office,
        name=name.strip()[:100],
        prefix=plaintext[:8],
        key_hash=api_token_hash(plaintext),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    audit.record(
        actor=by or owner,
        action="accounts.api_token_issued",
        target=token,
        details={
            "prefix": token.prefix,
            "scopes": token.scopes,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "office": office.pk if office else None,
        },
    )
    return token, plaintext


# What an organisation may do through the API, with the words its people read (no codes on
# screen). Operators issue other scopes with `rathaus token issue`.
ORGANISATION_SCOPES = {"einvoice:submit": gettext_lazy("E-Rechnungen einreichen")}
ORGANISATION_TOKEN_DAYS = (30, 90, 365)
ORGANISATION_TOKEN_LIMIT = 10


def organisation_api_token_issue(
    *, user: User, name: str, scopes: list[str], valid_days: int
) -> tuple[ApiToken, str]:
    """An organisation's own API token (self-service page): only ``ORGANISATION_SCOPES``, a
    validity of 30, 90 or 365 days, at most ``ORGANISATION_TOKEN_LIMIT`` usable tokens."""
    if user.kind != User.Kind.ORGANISATION or user.organisation_id is None or not user.is_active:
        raise PermissionDenied(_("Nur Anmeldungen einer Organisation können API-Schlüssel anlegen."))
    if not scopes:
        raise ValidationError(_("Bitte wählen Sie mindestens eine Berechtigung."), code="scopes")
    if any(scope not in ORGANISATION_SCOPES for scope in scopes):
        raise ValidationError(_("Diese Berechtigung kann hier nicht vergeben werden."), code="scopes")
    if valid_days not in ORGANISATION_TOKEN_DAYS:
        raise ValidationError(_("Bitte wählen Sie eine der angebotenen Gültigkeiten."), code="expires_at")
    with transaction.atomic():
        # One organisation's issues queue here, so the limit holds with parallel requests.
        Organisation.objects.select_for_update().get(pk=user.organisation_id)
        usable = (
            ApiToken.objects.filter(organisation_id=user.organisation_id, revoked_at__isnull=True)
            .exclude(expires_at__lte=timezone.now())
            .count()
        )
        if usable >= ORGANISATION_TOKEN_LIMIT:
            raise ValidationError(
                _(
                    "Ihre Organisation hat schon %(limit)s gültige API-Schlüssel. Bitte widerrufen Sie "
                    "einen, den Sie nicht mehr brauchen."
                )
                % {"limit": ORGANISATION_TOKEN_LIMIT},
                code="limit",
            )
        return api_token_issue(
            owner=user,
            name=name,
            scopes=scopes,
            expires_at=timezone.now() + timedelta(days=valid_days),
        )


def organisation_api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's organisation's tokens; another organisation's token is not found."""
    organisation_id = user.organisation_id
    token = (
        ApiToken.objects.filter(pk=token_id, organisation_id=organisation_id).first()
        if organisation_id is not None and user.kind == User.Kind.ORGANISATION
        else None
    )
    if token is None:
        raise NotFound(_("Diesen API-Schlüssel gibt es nicht."))
    return api_token_revoke(token=token, by=user)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User | audit.Actor) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first time."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=by, action="accounts.api_token_revoked", target=token, details={"prefix": token.prefix}
        )
    return token


def truncate_ip(address: str) -> str:
    """The network of an address: /24 for IPv4, /48 for IPv6; empty if unparsable."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@transaction.atomic
def login_event_record(*, user: User, method: str, eidas_level: str = "", ip: str = "") -> LoginEvent:
    if eidas_level and eidas_level not in EidasLevel.values:
        eidas_level = ""
    event = LoginEvent.objects.create(
        user=user, method=method, eidas_level=eidas_level, ip_network=truncate_ip(ip)
    )
    audit.record(
        actor=user,
        action="accounts.logged_in",
        target=user,
        details={"method": method, "eidas_level": eidas_level},
    )
    return event


@transaction.atomic
def demo_idp_grant_record(*, grant: Any, acr: str) -> DemoIdpGrant:
    """Keep the level of assurance the demo IdP's user chose, for the ID token's ``acr`` claim."""
    return DemoIdpGrant.objects.create(grant=grant, acr=acr)


def citizen_for_oidc_claims(
    *, issuer: str, claims: dict[str, Any], register_number_claim: str
) -> User | None:
    """The citizen account for verified ID token claims, or None if no register person matches.

    A known ``iss``/``sub`` pair wins. Otherwise the register number claim (sent by the demo
    IdP) links the login to its register person; the pair is then remembered.
    """
    identity = (
        OidcIdentity.objects.select_related("user").filter(issuer=issuer, subject=claims["sub"]).first()
    )
    if identity is not None:
        return identity.user
    register_number = claims.get(register_number_claim)
    if not isinstance(register_number, str) or not register_number:
        return None
    person = register_person_by_number(register_number)
    if person is None:
        return None
    user = citizen_account_for_person(person=person)
    oidc_identity_link(issuer=issuer, subject=claims["sub"], user=user)
    return user


def api_token_touch(*, token: ApiToken, now: datetime) -> None:
    """Note that a token was used. Bookkeeping only, not audited (the request log has it);
    one UPDATE that does nothing if another request got there first."""
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=now).update(last_used_at=now)
    token.last_used_at = now


def password_change(*, user: User, current: str, new: str, address: str) -> None:
    """Give a staff or organisation login a new password (ASVS 5.0 6.2.2).

    The old password must be right; a wrong one counts against the login throttle like a wrong
    login, so the form cannot be used to guess it. The new one must pass the password rules
    (``AUTH_PASSWORD_VALIDATORS``) and differ from the old. Other sessions of the account end
    (Django checks each session against the password hash); the view keeps the current one.
    Citizens log in with their eID and have no password here.
    """
    if user.kind not in (User.Kind.STAFF, User.Kind.ORGANISATION) or not user.has_usable_password():
        raise PermissionDenied(_("Dieses Konto meldet sich ohne Passwort an."))
    wait = throttling.claim_attempt(username=user.username, address=address)
    if wait:
        raise InvalidInput(
            _("Zu viele Versuche. Bitte warten Sie %(seconds)s Sekunden.") % {"seconds": wait},
            code="throttled",
        )
    if not user.check_password(current):
        raise InvalidInput(_("Das bisherige Passwort stimmt nicht."), code="password_wrong")
    throttling.record_success(username=user.username, address=address)
    if new == current:
        raise InvalidInput(
            _("Das neue Passwort muss sich vom bisherigen unterscheiden."), code="password_same"
        )
    try:
        validate_password(new, user)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), code="password_weak") from error
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        audit.record(actor=user, action="accounts.password_changed", target=user, details={})
