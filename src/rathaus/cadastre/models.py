"""Parcels and orders of the cadastral map extract; rows are written only by ``services``.

The tables keep the names they had in the payments app (decision 0093 moved the models
here without moving data).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Parcel(models.Model):
    """A synthetic Flurstück with its boundary polygon (metres, local east/north)."""

    gemarkung = models.CharField(max_length=80)
    flur = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    row = models.PositiveIntegerField()
    col = models.PositiveIntegerField()
    polygon = models.JSONField()
    area_m2 = models.PositiveIntegerField()
    land_use = models.CharField(max_length=60)

    class Meta:
        db_table = "payments_parcel"
        ordering = ["gemarkung", "flur", "number"]
        constraints = [
            models.UniqueConstraint(fields=["gemarkung", "flur", "number"], name="parcel_number_unique")
        ]

    def __str__(self) -> str:
        return f"Gemarkung {self.gemarkung}, Flur {self.flur}, Flurstück {self.number}"


class MapExtractOrder(models.Model):
    """A citizen's order of an extract from the Liegenschaftskarte, paid through a claim."""

    class Status(models.TextChoices):
        AWAITING_PAYMENT = "awaiting_payment", _("Wartet auf Zahlung")
        FULFILLED = "fulfilled", _("Bereitgestellt")

    parcel = models.ForeignKey(Parcel, on_delete=models.PROTECT, related_name="orders")
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="map_orders")
    # The claim of E-Payment; payments does not know the order (no reverse accessor).
    claim = models.OneToOneField("payments.Claim", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AWAITING_PAYMENT)
    extract = models.ForeignKey(
        "kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt = models.ForeignKey(
        "kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payments_mapextractorder"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Bestellung {self.pk} ({self.get_status_display()})"
