"""Tax returns as the tax office holds them for the status page (issue 17): the return, its
status and the history of its status changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaxReturn(models.Model):
    """One income tax return (Einkommensteuererklärung) of one person for one tax year."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Eingegangen")
        IN_PROCESSING = "in_processing", _("In Bearbeitung")
        QUERY = "query", _("Rückfrage des Finanzamts")
        ASSESSMENT_SENT = "assessment_sent", _("Bescheid versandt")
        OBJECTION = "objection", _("Einspruch")

    person = models.ForeignKey("registers.Person", on_delete=models.PROTECT, related_name="tax_returns")
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="tax_returns")
    tax_year = models.PositiveSmallIntegerField()
    reference = models.CharField(max_length=40, unique=True)
    received_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # The day the first assessment was sent: the end of the processing time the expected-date
    # figure is computed from (selectors.processing_time).
    assessed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-tax_year", "-received_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("person", "tax_year"), name="taxoffice_one_return_per_person_and_year"
            ),
        ]
        indexes = [
            models.Index(fields=("office", "status"), name="taxoffice_return_office_status"),
            models.Index(fields=("assessed_on",), name="taxoffice_return_assessed_on"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.tax_year})"


class TaxReturnEvent(models.Model):
    """One entry of a return's history: the status it went to, when, by whom, with a note."""

    tax_return = models.ForeignKey(TaxReturn, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=20, choices=TaxReturn.Status.choices)
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.tax_return_id}: {self.status} {self.at:%Y-%m-%d}"
