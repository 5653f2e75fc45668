"""Aussonderung (hand-over to the archive) and Abgabe imports, with the xdomea messages as blobs.

A ``Disposal`` is one xdomea process (one ``ProzessID``): offer (0501) → evaluation (0502)
→ transfer package (0503) → receipt (0506) → deletion. Its ``DisposalItem`` rows keep the
Aktenzeichen and title of each offered file, so the record survives the file's deletion.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Disposal(models.Model):
    """One Aussonderung process of an office with the state archive."""

    class State(models.TextChoices):
        OFFERED = "offered", _("Angeboten")
        EVALUATED = "evaluated", _("Bewertet")
        TRANSFERRED = "transferred", _("Übergeben")
        RECEIVED = "received", _("Übernahme bestätigt")
        COMPLETED = "completed", _("Abgeschlossen")

    process_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    archive = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.OFFERED)
    reference_date = models.DateField(help_text="Stichtag, an dem die Aufbewahrungsfristen geprüft wurden.")
    offer_message = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    evaluation_message = models.ForeignKey(
        "kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transfer_package = models.ForeignKey(
        "kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_message = models.ForeignKey(
        "kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evaluated_at = models.DateTimeField(null=True, blank=True)
    transferred_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Aussonderung"
        verbose_name_plural = "Aussonderungen"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["office", "state"], name="efile_arch_disposal_office")]

    def __str__(self) -> str:
        return f"Aussonderung {self.process_id}"


class DisposalItem(models.Model):
    """One offered file (Schriftgutobjekt ``Akte``) with the archive's decision."""

    class Decision(models.TextChoices):
        ARCHIVE = "A", _("archivwürdig (übernehmen)")
        DESTROY = "V", _("vernichten")

    disposal = models.ForeignKey(Disposal, on_delete=models.CASCADE, related_name="items")
    case_file = models.ForeignKey(
        "efile.CaseFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    aktenzeichen = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    closed_on = models.DateField()
    retention_ends = models.DateField(null=True, blank=True)
    proposal = models.CharField(max_length=1, help_text="Aussonderungsart laut Aktenplan: A, B oder V.")
    decision = models.CharField(max_length=1, choices=Decision.choices, blank=True)
    documents = models.PositiveIntegerField(default=0)
    archive_reference = models.CharField(max_length=200, blank=True)
    received = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "angebotene Akte"
        verbose_name_plural = "angebotene Akten"
        ordering = ["aktenzeichen", "id"]

    def __str__(self) -> str:
        return self.aktenzeichen


class ImportedPackage(models.Model):
    """An xdomea package (0401 Abgabe or 0503 Aussonderung) taken over by an office."""

    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    process_id = models.UUIDField()
    message_code = models.CharField(max_length=4)
    package_sha256 = models.CharField(max_length=64)
    sender = models.CharField(max_length=300, blank=True)
    package = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "übernommenes xdomea-Paket"
        verbose_name_plural = "übernommene xdomea-Pakete"
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["office", "package_sha256"], name="efile_arch_package_once"),
            models.UniqueConstraint(fields=["office", "process_id"], name="efile_arch_process_once"),
        ]

    def __str__(self) -> str:
        return f"{self.process_id} ({self.message_code})"


class ImportedFile(models.Model):
    """A file created from an imported package, with its reference at the sending office."""

    package = models.ForeignKey(ImportedPackage, on_delete=models.CASCADE, related_name="files")
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    object_id = models.UUIDField()
    case_file = models.ForeignKey(
        "efile.CaseFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_aktenzeichen = models.CharField(max_length=200)

    class Meta:
        verbose_name = "übernommene Akte"
        verbose_name_plural = "übernommene Akten"
        constraints = [
            models.UniqueConstraint(fields=["office", "object_id"], name="efile_arch_file_once"),
        ]

    def __str__(self) -> str:
        return self.source_aktenzeichen
