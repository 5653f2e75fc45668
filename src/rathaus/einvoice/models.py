"""Inbound e-invoices: the original bytes (blob), the verdict and the routing result."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundInvoice(models.Model):
    """One submitted document, accepted or not; nothing a supplier sends is dropped."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Eingegangen")
        REJECTED = "rejected", _("Abgelehnt")
        ACCEPTED = "accepted", _("Angenommen")

    class Channel(models.TextChoices):
        API = "api", _("API")
        UPLOAD = "upload", _("Web-Upload")
        EMAIL = "email", _("E-Mail")

    sender = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="einvoices"
    )
    submitted_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    # The original bytes, unchanged (SHA-256 addressed); legal evidence for ten years.
    blob = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    syntax = models.CharField(max_length=3, blank=True)
    scenario = models.CharField(max_length=200, blank=True)
    rule_set_version = models.CharField(max_length=200, blank=True)
    invoice_number = models.CharField(max_length=200, blank=True)  # BT-1
    issue_date = models.DateField(null=True, blank=True)  # BT-2
    currency = models.CharField(max_length=3, blank=True)  # BT-5
    leitweg_id = models.CharField(max_length=200, blank=True)  # BT-10
    seller_name = models.CharField(max_length=300, blank=True)  # BT-27
    seller_vat_id = models.CharField(max_length=50, blank=True)  # BT-31
    # Normalised seller identity for duplicate detection (VAT ID, else the name).
    seller_key = models.CharField(max_length=300, blank=True)
    total_with_vat = models.DecimalField(max_digits=19, decimal_places=2, null=True, blank=True)  # BT-112
    amount_due = models.DecimalField(max_digits=19, decimal_places=2, null=True, blank=True)  # BT-115
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="einvoices"
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rejection_rules = models.JSONField(default=list, blank=True)
    rejection_reason = models.TextField(blank=True)
    validation_report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("Eingangsrechnung")
        verbose_name_plural = _("Eingangsrechnungen")
        constraints = [
            # An invoice is processed once: one accepted invoice per seller and invoice number.
            models.UniqueConstraint(
                fields=["seller_key", "invoice_number"],
                condition=models.Q(status="accepted"),
                name="einvoice_accepted_once_per_seller_and_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number or '?'} ({self.get_status_display()})"
