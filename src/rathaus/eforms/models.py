"""Online applications: a draft while the citizen fills in the steps, then an immutable
submission (its data, attachments and PDF hashed) that became a case. Rows are written only
by ``services``."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        AWAITING_PAYMENT = "awaiting_payment", _("Wartet auf Zahlung")
        SUBMITTED = "submitted", _("Eingegangen, in Bearbeitung")
        # The office asked for documents or details (an open ``InformationRequest``).
        INFO_REQUESTED = "info_requested", _("Rückfrage: wartet auf Ihre Antwort")
        APPROVED = "approved", _("Bewilligt")
        REJECTED = "rejected", _("Abgelehnt")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form_id = models.CharField(max_length=80)
    form_version = models.PositiveIntegerField()
    leika_key = models.CharField(max_length=14)
    title = models.CharField(max_length=300)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the citizen typed, per step, as posted (lists of strings): kept even when a step
    # has errors, so nothing typed is lost; re-validated in full at submission.
    raw = models.JSONField(default=dict)
    completed_steps = models.JSONField(default=list)
    # The submission: cleaned values (JSON), its reference and hash, the PDF, the case.
    reference = models.CharField(max_length=30, blank=True, default="")
    data = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    pdf = models.ForeignKey("kernel.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The fee's claim of E-Payment, where the fee schedule names one for the service.
    claim = models.ForeignKey(
        "payments.Claim", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The decision: its Bescheid went to the citizen's postbox in this message.
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_message = models.ForeignKey(
        "kernel.PostboxMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["applicant", "status"], name="eforms_app_applicant_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="eforms_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference or self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)

    @property
    def awaits_filing(self) -> bool:
        """Submitted (and paid where the fee comes first), but the background task has not yet
        filed the case at the office (docs/decisions/0116)."""
        return self.status == self.Status.SUBMITTED and self.case_id is None

    @property
    def state_label(self) -> str:
        """The state as the citizen reads it: the status, or that it is on its way to the office."""
        if self.awaits_filing:
            return str(_("Eingegangen – wird der zuständigen Stelle zugestellt"))
        return str(self.get_status_display())


class Attachment(models.Model):
    """A file attached to an application's file field (stored and checked by kernel.blobs)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    step_id = models.CharField(max_length=40)
    path = models.CharField(max_length=120)  # the input's name: "plan" or "person-0-ausweis"
    blob = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class InformationRequest(models.Model):
    """The office asks the applicant for missing documents or details (Nachforderung, § 25
    Abs. 1 VwVfG); answered once through the portal, or closed unanswered by the decision."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests"
    )
    text = models.TextField()
    documents = models.CharField(max_length=500, blank=True, default="")  # which documents, if named
    deadline = models.DateField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        "kernel.PostboxMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_text = models.TextField(blank=True, default="")
    # The files filed into the case: [{"filename", "sha256", "document"}].
    answer_files = models.JSONField(default=list, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # closed unanswered (decided meanwhile)

    class Meta:
        ordering = ["asked_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(answered_at__isnull=True, closed_at__isnull=True),
                name="eforms_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"Rückfrage {self.pk} zu {self.application_id}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None and self.closed_at is None
