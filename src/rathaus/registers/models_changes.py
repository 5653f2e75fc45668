"""Who keeps which register, the history of every change and the staff corrections awaiting a
second person's approval. Imported by ``models`` (the models of the app live there and here)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rathaus.domain.registers.corrections import field_label as _field_label


class Register(models.TextChoices):
    RESIDENTS = "residents", _("Melderegister")
    CIVIL_STATUS = "civil_status", _("Personenstandsregister")


class RegisterOffice(models.Model):
    """An office that keeps a register: the residence registration office (Meldebehörde, § 1
    BMG) the residents' register, the registry office (Standesamt, § 1 PStG) the civil status
    register. Only staff working in such an office change that register."""

    register = models.CharField(max_length=20, choices=Register.choices)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "Registerführende Stelle"
        verbose_name_plural = "Registerführende Stellen"
        constraints = [
            models.UniqueConstraint(fields=["register", "office"], name="registers_register_office_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_register_display()}: {self.office_id}"


class Correction(models.Model):
    """A staff member's proposal to correct one field of a person's entry (Berichtigung), applied
    only when another member of staff of the same office approves it (four eyes)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("Berichtigung", "offen")
        APPROVED = "approved", pgettext_lazy("Berichtigung", "freigegeben")
        REJECTED = "rejected", pgettext_lazy("Berichtigung", "abgelehnt")

    person = models.ForeignKey("registers.Person", on_delete=models.PROTECT, related_name="corrections")
    register = models.CharField(max_length=20, choices=Register.choices)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500)
    # Staff user ids as plain values (no foreign key: accounts already depends on the registers).
    proposed_by_id = models.BigIntegerField()
    proposed_by_name = models.CharField(max_length=200)
    proposed_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by_id = models.BigIntegerField(null=True, blank=True)
    decided_by_name = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "Berichtigung"
        verbose_name_plural = "Berichtigungen"
        indexes = [models.Index(fields=["office", "status"], name="registers_correction_queue_idx")]
        constraints = [
            # The four-eyes principle, held by the database too.
            models.CheckConstraint(
                condition=Q(decided_by_id__isnull=True) | ~Q(decided_by_id=F("proposed_by_id")),
                name="registers_correction_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by_id__isnull=False)),
                name="registers_correction_decided_when_not_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Berichtigung {self.pk}: {self.field} ({self.person_id}, {self.status})"

    @property
    def field_label(self) -> str:
        return _field_label(self.field)


class RegisterChange(models.Model):
    """One change of one field of a person's entry: who (and in which office) changed what from
    which value to which, when and why. Written by every changing service, never edited."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Anmeldung einer Wohnung")
        BIRTH = "birth", _("Beurkundung einer Geburt")
        DEATH = "death", _("Beurkundung eines Sterbefalls")
        CORRECTION = "correction", _("Berichtigung")

    person = models.ForeignKey("registers.Person", on_delete=models.PROTECT, related_name="register_changes")
    register = models.CharField(max_length=20, choices=Register.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by_user_id = models.BigIntegerField(null=True, blank=True)
    by_name = models.CharField(max_length=200)
    field = models.CharField(max_length=40)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    correction = models.ForeignKey(
        Correction, null=True, blank=True, on_delete=models.PROTECT, related_name="changes"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "Registeränderung"
        verbose_name_plural = "Registeränderungen"
        indexes = [models.Index(fields=["person", "created_at"], name="registers_change_person_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.field} ({self.person_id})"

    @property
    def field_label(self) -> str:
        return _field_label(self.field)
