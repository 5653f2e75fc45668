"""Offices (Dienststellen) and the services (Leistungen) they provide.

Public surface for other apps: ``Office`` and ``Service`` as foreign-key targets, and
``rathaus.directory.selectors``.
"""

from django.core.exceptions import ValidationError
from django.db import models

from rathaus.domain.registers.leitweg_id import InvalidLeitwegId, validate_leitweg_id


def _validate_leitweg_id(value: str) -> None:
    try:
        validate_leitweg_id(value)
    except InvalidLeitwegId as exc:
        raise ValidationError(str(exc), code="invalid_leitweg_id") from exc


class Office(models.Model):
    """An authority or one of its offices (Dienststelle)."""

    class Kind(models.TextChoices):
        SENATE_DEPARTMENT = "senate_department", "Senatorische Behörde"
        AUTHORITY = "authority", "Amt"
        CITIZENS_OFFICE = "citizens_office", "Bürgeramt"
        REGISTRY_OFFICE = "registry_office", "Standesamt"
        TAX_OFFICE = "tax_office", "Finanzamt"
        ARCHIVE = "archive", "Archiv"
        OTHER = "other", "Sonstige Dienststelle"

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

    class Meta:
        ordering = ["name"]
        verbose_name = "Dienststelle"
        verbose_name_plural = "Dienststellen"

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """An administrative service (Leistung) as catalogued in the LeiKa."""

    # The 14-digit key of the Leistungskatalog (LeiKa) of the German administration.
    leika_key = models.CharField(max_length=14, unique=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    offices = models.ManyToManyField(Office, blank=True, related_name="services")

    class Meta:
        ordering = ["name"]
        verbose_name = "Leistung"
        verbose_name_plural = "Leistungen"

    def __str__(self) -> str:
        return self.name
