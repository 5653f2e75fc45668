"""Offices (Dienststellen), the services (Leistungen) they provide, and life situations.

Public surface for other apps: ``Office``, ``Service`` and ``LifeSituation`` as foreign-key
targets, ``rathaus.directory.selectors`` and ``rathaus.directory.services``.

Offices, services and life situations go through review before they are public
(``Publication.Status``: draft → reviewed → published, reviewed by someone other than the
last editor); see ``services.publication_review``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rathaus.domain.registers.leitweg_id import InvalidLeitwegId, validate_leitweg_id
from rathaus.kernel import choices


def _validate_leitweg_id(value: str) -> None:
    try:
        validate_leitweg_id(value)
    except InvalidLeitwegId as exc:
        raise ValidationError(str(exc), code="invalid_leitweg_id") from exc


class Publication(models.Model):
    """Review before publishing: the fields every published directory entry carries."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Entwurf"
        REVIEWED = "reviewed", "Geprüft"
        PUBLISHED = "published", "Veröffentlicht"

    status = models.CharField("Status", max_length=12, choices=Status.choices, default=Status.DRAFT)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="zuletzt bearbeitet von",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="geprüft von",
    )
    published_at = models.DateTimeField("veröffentlicht am", null=True, blank=True)
    updated_at = models.DateTimeField("geändert am", auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Office(Publication):
    """An authority or one of its offices (Dienststelle).

    Offices created in code (demo, imports) are published at once; edits by staff in the
    admin go back to draft and need review (``Publication``).
    """

    status = models.CharField(
        "Status", max_length=12, choices=Publication.Status.choices, default=Publication.Status.PUBLISHED
    )

    class Kind(models.TextChoices):
        SENATE_DEPARTMENT = "senate_department", _("Senatorische Behörde")
        AUTHORITY = "authority", _("Amt")
        CITIZENS_OFFICE = "citizens_office", _("Bürgeramt")
        REGISTRY_OFFICE = "registry_office", _("Standesamt")
        TAX_OFFICE = "tax_office", _("Finanzamt")
        ARCHIVE = "archive", _("Archiv")
        OTHER = "other", _("Sonstige Dienststelle")

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.AUTHORITY)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    street_address = models.CharField(max_length=200, blank=True)
    postal_code = models.CharField(max_length=5, blank=True)
    city = models.CharField(max_length=100, default="Bremen")
    # The B2G routing ID under which the office receives e-invoices (XRechnung BT-10).
    leitweg_id = models.CharField(
        max_length=50, null=True, blank=True, unique=True, validators=[_validate_leitweg_id]
    )
    website = models.URLField(blank=True)
    description = models.TextField("Beschreibung", blank=True)
    # WGS 84, for a link to any map service; the portal shows no embedded map.
    latitude = models.DecimalField("Breitengrad", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("Längengrad", max_digits=9, decimal_places=6, null=True, blank=True)
    reachable_by_115 = models.BooleanField("über die 115 erreichbar", default=True)
    contact_form = models.BooleanField("Kontaktformular anbieten", default=True)
    step_free_access = models.BooleanField("stufenloser Zugang", null=True, blank=True)
    accessible_toilet = models.BooleanField("barrierefreies WC", null=True, blank=True)
    hearing_loop = models.BooleanField("Induktionsschleife", null=True, blank=True)
    accessibility_notes = models.TextField("Hinweise zur Barrierefreiheit", blank=True)
    public_transport = models.CharField("Anfahrt mit Bus und Bahn", max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Dienststelle"
        verbose_name_plural = "Dienststellen"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:office", kwargs={"slug": self.slug})


class OpeningHours(models.Model):
    """A weekly opening interval of an office (public opening hours, not appointment hours)."""

    Weekday = choices.Weekday

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField("Wochentag", choices=Weekday.choices)
    opens = models.TimeField("von")
    closes = models.TimeField("bis")
    note = models.CharField("Hinweis", max_length=200, blank=True)

    class Meta:
        ordering = ["office", "weekday", "opens"]
        verbose_name = "Öffnungszeit"
        verbose_name_plural = "Öffnungszeiten"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="directory_hours_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A date with other hours: closed (no times) or open from ``opens`` to ``closes``."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="opening_exceptions")
    day = models.DateField("Tag")
    opens = models.TimeField("von", null=True, blank=True)
    closes = models.TimeField("bis", null=True, blank=True)
    reason = models.CharField("Grund", max_length=200, blank=True)

    class Meta:
        ordering = ["office", "day", "opens"]
        verbose_name = "Abweichende Öffnungszeit"
        verbose_name_plural = "Abweichende Öffnungszeiten"

    def __str__(self) -> str:
        return f"{self.day:%d.%m.%Y} {self.reason}".strip()

    @property
    def closed(self) -> bool:
        return self.opens is None or self.closes is None


class OfficeMessage(models.Model):
    """A message sent through an office's contact form: the office's inbox."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="messages")
    name = models.CharField("Name", max_length=200)
    email = models.EmailField("E-Mail")
    subject = models.CharField("Betreff", max_length=200)
    text = models.TextField("Nachricht", max_length=5000)
    created_at = models.DateTimeField("eingegangen", auto_now_add=True)
    handled_at = models.DateTimeField("erledigt", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "Nachricht an eine Dienststelle"
        verbose_name_plural = "Nachrichten an Dienststellen"

    def __str__(self) -> str:
        return self.subject


class Service(Publication):
    """An administrative service (Leistung) as catalogued in the LeiKa, FIM-style fields.

    ``documents``, ``legal_basis`` and ``keywords`` are lists of strings (JSON);
    ``offices`` are the responsible offices — a service without one cannot be published.
    """

    # The 14-digit key of the Leistungskatalog (LeiKa) of the German administration.
    leika_key = models.CharField(max_length=14, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    offices = models.ManyToManyField(Office, blank=True, related_name="services")
    slug = models.SlugField("Kurzname in der Adresse", max_length=120, blank=True, default="")
    summary = models.CharField("Kurzbeschreibung", max_length=400, blank=True)
    eligibility = models.TextField("Wer kann das beantragen?", blank=True)
    documents = models.JSONField("Erforderliche Unterlagen", default=list, blank=True)
    fees = models.TextField("Gebühren", blank=True)
    processing_time = models.CharField("Bearbeitungsdauer", max_length=300, blank=True)
    deadlines = models.CharField("Fristen", max_length=300, blank=True)
    legal_basis = models.JSONField("Rechtsgrundlagen", default=list, blank=True)
    keywords = models.JSONField("Suchbegriffe", default=list, blank=True)
    online_url = models.CharField("Online-Antrag (Adresse)", max_length=300, blank=True)
    by_appointment = models.BooleanField("mit Termin", default=False)
    in_person = models.BooleanField("persönlich ohne Termin", default=False)
    popularity = models.PositiveIntegerField("Aufrufe pro Monat (Schätzung)", default=0)

    class Meta:
        ordering = ["name"]
        verbose_name = "Leistung"
        verbose_name_plural = "Leistungen"
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=~Q(slug=""), name="directory_service_slug_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:service", kwargs={"slug": self.slug})


class LifeSituation(Publication):
    """A life situation (Lebenslage) with the services that belong to it, in order."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField("Name", max_length=200)
    summary = models.CharField("Kurzbeschreibung", max_length=400, blank=True)
    description = models.TextField("Beschreibung", blank=True)
    position = models.PositiveSmallIntegerField("Reihenfolge", default=0)
    services = models.ManyToManyField(
        Service, blank=True, related_name="life_situations", through="LifeSituationService"
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "Lebenslage"
        verbose_name_plural = "Lebenslagen"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("portal:life_situation", kwargs={"slug": self.slug})


class LifeSituationService(models.Model):
    life_situation = models.ForeignKey(LifeSituation, on_delete=models.CASCADE)
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    step = models.CharField("Schritt", max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["life_situation", "service"], name="directory_lifesituation_service_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.life_situation} – {self.service}"
