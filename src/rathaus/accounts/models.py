"""Logins: citizens, staff and organisations, their roles, API tokens and login history.

Public surface for other apps: ``rathaus.accounts.services`` and ``rathaus.accounts.selectors``,
the ``staff_required`` decorator in ``rathaus.accounts.decorators`` and the model names
``User``, ``Organisation``, ``StaffRole`` for type hints. Anything else is private.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EidasLevel(models.TextChoices):
    """Levels of assurance of an electronic identification, Art. 8 eIDAS Regulation (EU) 910/2014.

    The values are the URIs that eIDAS nodes and BundID put into the ``acr`` claim.
    """

    LOW = "http://eidas.europa.eu/LoA/low", _("niedrig")
    SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial", _("substanziell")
    HIGH = "http://eidas.europa.eu/LoA/high", _("hoch")


class Organisation(models.Model):
    """A company, an authority or another organisation that uses Rathaus (e.g. sends e-invoices)."""

    class Kind(models.TextChoices):
        COMPANY = "company", _("Unternehmen")
        AUTHORITY = "authority", _("Behörde")
        OTHER = "other", _("Sonstige")

    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices)
    vat_id = models.CharField(_("USt-IdNr."), max_length=20, blank=True)
    # Leitweg-ID (XRechnung BT-10): only public buyers (authorities) have one.
    leitweg_id = models.CharField(_("Leitweg-ID"), max_length=46, null=True, blank=True, unique=True)
    address = models.TextField(_("Anschrift"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("Organisation")
        verbose_name_plural = _("Organisationen")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leitweg_id__isnull=True) | models.Q(kind="authority"),
                name="organisation_leitweg_id_only_for_authorities",
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """One login. ``kind`` says who is behind it; a citizen links to one register person."""

    class Kind(models.TextChoices):
        CITIZEN = "citizen", "Bürgerin/Bürger"
        STAFF = "staff", "Beschäftigte/r"
        ORGANISATION = "organisation", "Organisation"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CITIZEN)
    person = models.OneToOneField(
        "registers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="account"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


class StaffRole(models.Model):
    """A staff member's role in one office; rights are always scoped to an office."""

    class Role(models.TextChoices):
        SACHBEARBEITUNG = "sachbearbeitung", _("Sachbearbeitung")
        LEITUNG = "leitung", _("Leitung")
        ADMIN = "admin", _("Administration")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_roles")
    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "office", "role"], name="staffrole_unique_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.office})"


class ApiToken(models.Model):
    """A bearer token for machine access to the JSON API.

    Only the SHA-256 hash of the token is stored; the plaintext is shown once when issued.
    The token has 256 bits of entropy, so a fast hash suffices (no password stretching needed).
    """

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # The office the token speaks for (an authority asking the registers, issue 15): the API takes
    # the requesting office from here, never from the request body.
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, *, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > now


class LoginEvent(models.Model):
    """One successful login, with the method and the eIDAS level of assurance reached."""

    class Method(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        PASSWORD = "password", _("Passwort")
        PASSWORD_TOTP = "password_totp", _("Passwort und Einmalcode")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_events")
    method = models.CharField(max_length=20, choices=Method.choices)
    eidas_level = models.CharField(max_length=60, choices=EidasLevel.choices, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Truncated to the network (/24 for IPv4, /48 for IPv6): enough to spot unusual logins,
    # not enough to identify a household (data minimisation, Art. 5(1)(c) GDPR).
    ip_network = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_method_display()} {self.at:%Y-%m-%d %H:%M}"


class OidcIdentity(models.Model):
    """The link between an identity at an OpenID provider (``iss`` + ``sub``) and an account.

    OpenID Connect Core 1.0 § 5.7: only the pair ``iss``/``sub`` identifies an end-user stably.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidcidentity_unique_iss_sub")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"


class DemoIdpGrant(models.Model):
    """What the built-in demo identity provider remembers about one authorization code:
    the level of assurance chosen on its login page (it ends up in the ``acr`` claim)."""

    grant = models.OneToOneField("oauth2_provider.Grant", on_delete=models.CASCADE, related_name="+")
    acr = models.CharField(max_length=60, choices=EidasLevel.choices)

    def __str__(self) -> str:
        return f"{self.grant_id} {self.acr}"


class LoginThrottle(models.Model):
    """Login attempts per hashed username or client address (written only by ``accounts.throttling``).

    A row, not a cache entry: the count must go up atomically under parallel attempts, which
    Django's database cache (the default) cannot do (its ``incr`` is a read and a write).
    """

    key = models.CharField(max_length=100, unique=True)
    # Attempts not known to have succeeded: counted before the password is checked.
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.FloatField(help_text="Unix time of the last counted attempt.")

    class Meta:
        verbose_name = "Anmeldebremse"
        verbose_name_plural = "Anmeldebremsen"
        indexes = [models.Index(fields=["last_attempt_at"], name="accounts_throttle_last_idx")]

    def __str__(self) -> str:
        return f"{self.key}: {self.attempts}"
