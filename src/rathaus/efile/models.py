"""E-Akte models: file plan entry → file (Akte) → case (Vorgang) → document → version.

Indexes are shaped for the desk's queries at 100,000+ cases per office: an office's inbox by
status (newest first), a person's cases by status, due resubmissions, and the lookup by
Aktenzeichen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FilePlanEntry(models.Model):
    """One entry of the file plan (Aktenplan), city-wide (no office) or for one office."""

    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="file_plan_entries"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    number = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    # None: inherited from the parent entry.
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)
    archive_worthy = models.BooleanField(null=True, blank=True)
    files_allowed = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = "Aktenplaneintrag"
        verbose_name_plural = "Aktenplaneinträge"
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="efile_plan_number_unique_per_office"),
            models.UniqueConstraint(
                fields=["number"], condition=Q(office__isnull=True), name="efile_plan_number_unique_citywide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseFile(models.Model):
    """A file (Akte) under a file plan entry; its Aktenzeichen is derived from the plan."""

    aktenzeichen = models.CharField(max_length=60, unique=True)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="case_files")
    file_plan_entry = models.ForeignKey(FilePlanEntry, on_delete=models.PROTECT, related_name="case_files")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Akte"
        verbose_name_plural = "Akten"
        constraints = [
            models.UniqueConstraint(
                fields=["office", "file_plan_entry", "year", "serial"], name="efile_casefile_serial_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.aktenzeichen} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Case(models.Model):
    """A case (Vorgang): one matter handled in a file, by an office, maybe by one person."""

    class Status(models.TextChoices):
        OPEN = "open", _("Neu")
        IN_PROGRESS = "in_progress", _("In Bearbeitung")
        WAITING = "waiting", _("Wartet")
        CLOSED = "closed", _("Abgeschlossen")

    class Confidentiality(models.TextChoices):
        NORMAL = "normal", _("Normal")
        VERTRAULICH = "vertraulich", _("Vertraulich")
        STRENG_VERTRAULICH = "streng_vertraulich", _("Streng vertraulich")

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="cases")
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="cases")
    subject = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    # The person the case is about, if any: reading such a case is audit-logged with a purpose.
    person = models.ForeignKey(
        "registers.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An organisation taking part (applicant, company), besides or instead of a person.
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Not "normal": only the assignee and the office's Leitung see the case (selectors.may_see_case).
    confidentiality = models.CharField(
        max_length=20, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    source = models.CharField(max_length=60, blank=True, help_text="Woher der Vorgang kommt, z. B. „eforms“.")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    resubmission_on = models.DateField(null=True, blank=True)
    deadline = models.DateField(null=True, blank=True)
    # Optimistic locking: every change increments it; a form sends the value it was built from.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Vorgang"
        verbose_name_plural = "Vorgänge"
        indexes = [
            # Office inbox, newest first, keyset-paginated on id.
            models.Index(fields=["office", "status", "-id"], name="efile_case_office_status"),
            # The default inbox (everything not closed) without a status filter.
            models.Index(
                fields=["office", "-id"], condition=~Q(status="closed"), name="efile_case_office_not_closed"
            ),
            models.Index(fields=["assignee", "status", "-id"], name="efile_case_assignee_status"),
            models.Index(
                fields=["resubmission_on", "office"],
                condition=Q(resubmission_on__isnull=False),
                name="efile_case_resubmission",
            ),
            # An office's due resubmissions (inbox box): office, then date, open cases only.
            models.Index(
                fields=["office", "resubmission_on"],
                condition=Q(resubmission_on__isnull=False) & ~Q(status="closed"),
                name="efile_case_office_due",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Document(models.Model):
    """A document in a case; its content lives in immutable versions."""

    class Direction(models.TextChoices):
        INCOMING = "incoming", _("Eingang")
        OUTGOING = "outgoing", _("Ausgang")
        INTERNAL = "internal", _("Intern")

    class OcrStatus(models.TextChoices):
        NOT_NEEDED = "", _("nicht nötig")
        PENDING = "pending", _("Texterkennung läuft")
        DONE = "done", _("Text erkannt")
        FAILED = "failed", _("kein Text")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=300)
    direction = models.CharField(max_length=20, choices=Direction.choices, default=Direction.INCOMING)
    # Scans (images, PDFs without a text layer) get a searchable PDF/A version by OCR.
    ocr_status = models.CharField(max_length=10, choices=OcrStatus.choices, default="", blank=True)
    ocr_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Dokument"
        verbose_name_plural = "Dokumente"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def ocr_too_large(self) -> bool:
        """OCR was refused before it started because of the document's size; a retry of the
        same bytes would be refused again (``filechecks.OCR_TOO_LARGE``)."""
        from .filechecks import OCR_TOO_LARGE

        return self.ocr_error.startswith(OCR_TOO_LARGE)


class DocumentVersion(models.Model):
    """One immutable version of a document: a stored blob with who, when and why."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    blob = models.ForeignKey("kernel.Blob", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    reason = models.CharField(max_length=500, blank=True)
    # Text for search: a PDF's text layer or a text file's content; "" for scans until OCR.
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Dokumentversion"
        verbose_name_plural = "Dokumentversionen"
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="efile_documentversion_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"


class CaseNote(models.Model):
    """A note on a case (Aktenvermerk / Notiz): kept as written, never edited."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "Notiz"
        verbose_name_plural = "Notizen"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
