"""Appointment models: an office's planning, its time units (slots) and the appointments.

"Never given twice" is the database's job: every bookable unit of a counter is a ``Slot``
row, and an appointment holds its units through ``SlotClaim`` rows whose ``slot`` is unique.
Two bookings of the same unit cannot both commit, on SQLite and on PostgreSQL alike; a
released unit (cancelled, lapsed, moved) simply has no claim any more. Triggers keep a
confirmed appointment's claims (``claim_guard``, migration 0004, decision 0084).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.kernel import choices


class OfficePlan(models.Model):
    """How an office hands out appointments."""

    office = models.OneToOneField(
        "directory.Office", on_delete=models.CASCADE, related_name="appointment_plan"
    )
    active = models.BooleanField(_("Online-Terminvergabe aktiv"), default=True)
    slot_minutes = models.PositiveSmallIntegerField(_("Zeiteinheit (Minuten)"), default=15)
    release_days = models.PositiveSmallIntegerField(_("Freigabe: Tage im Voraus"), default=28)
    release_time = models.TimeField(_("Freigabe: Uhrzeit"), default=datetime.time(8, 0))
    min_lead_minutes = models.PositiveSmallIntegerField(_("Mindestvorlauf (Minuten)"), default=60)
    hold_minutes = models.PositiveSmallIntegerField(_("Reservierung gilt (Minuten)"), default=10)
    verify_minutes = models.PositiveSmallIntegerField(_("Bestätigungslink gilt (Minuten)"), default=30)
    max_open_per_person = models.PositiveSmallIntegerField(
        _("Höchstens offene Termine je Person und Leistung"), default=1
    )

    class Meta:
        verbose_name = _("Terminplanung")
        verbose_name_plural = _("Terminplanungen")

    def __str__(self) -> str:
        return str(self.office)


class Counter(models.Model):
    """A counter (Schalter) or workplace where visitors are served: one unit of capacity."""

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="counters")
    name = models.CharField(_("Bezeichnung"), max_length=60)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        ordering = ["office", "name"]
        verbose_name = _("Schalter")
        verbose_name_plural = _("Schalter")
        constraints = [models.UniqueConstraint(fields=["office", "name"], name="appt_counter_unique_name")]

    def __str__(self) -> str:
        return f"{self.office} – {self.name}"


class OpeningHours(models.Model):
    """One regular opening interval; several per weekday for a lunch break."""

    Weekday = choices.Weekday

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="appointment_hours")
    weekday = models.PositiveSmallIntegerField(_("Wochentag"), choices=Weekday.choices)
    opens = models.TimeField(_("von"))
    closes = models.TimeField(_("bis"))

    class Meta:
        ordering = ["office", "weekday", "opens"]
        verbose_name = _("Öffnungszeit")
        verbose_name_plural = _("Öffnungszeiten")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="appt_hours_opens_before_closes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class OpeningException(models.Model):
    """A day with other hours than usual: closed, or open only in the given interval(s)."""

    office = models.ForeignKey(
        "directory.Office", on_delete=models.CASCADE, related_name="appointment_exceptions"
    )
    day = models.DateField(_("Tag"))
    closed = models.BooleanField(_("geschlossen"), default=True)
    opens = models.TimeField(_("von"), null=True, blank=True)
    closes = models.TimeField(_("bis"), null=True, blank=True)
    reason = models.CharField(_("Grund"), max_length=200, blank=True)

    class Meta:
        ordering = ["office", "day", "opens"]
        verbose_name = _("Abweichende Öffnungszeit")
        verbose_name_plural = _("Abweichende Öffnungszeiten")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed=True)
                | Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="appt_exception_hours_when_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.reason}"


class OfferedService(models.Model):
    """A directory service bookable at an office, with its time at the counter."""

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="offered_services")
    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="offered_at")
    duration_minutes = models.PositiveSmallIntegerField(_("Dauer (Minuten)"))
    buffer_minutes = models.PositiveSmallIntegerField(_("Pufferzeit (Minuten)"), default=0)
    active = models.BooleanField(_("online buchbar"), default=True)

    class Meta:
        ordering = ["office", "service__name"]
        verbose_name = _("Angebotene Leistung")
        verbose_name_plural = _("Angebotene Leistungen")
        constraints = [
            models.UniqueConstraint(fields=["office", "service"], name="appt_offered_unique"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="appt_offered_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} @ {self.office}"


class Slot(models.Model):
    """One bookable time unit of one counter."""

    office = models.ForeignKey("directory.Office", on_delete=models.CASCADE, related_name="+")
    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "counter"]
        constraints = [
            models.UniqueConstraint(fields=["counter", "start"], name="appt_slot_unique_per_counter")
        ]
        indexes = [models.Index(fields=["office", "start"], name="appt_slot_office_start")]

    def __str__(self) -> str:
        return f"{self.counter} {self.start:%Y-%m-%d %H:%M}"


class Appointment(models.Model):
    """A booked visit (online) or a walk-in ticket, from reservation to the end of the visit."""

    class Kind(models.TextChoices):
        ONLINE = "online", _("Online gebucht")
        WALK_IN = "walk_in", _("Ohne Termin")

    class Status(models.TextChoices):
        RESERVED = "reserved", _("reserviert")
        PRECONFIRMED = "preconfirmed", _("wartet auf Bestätigung")
        CONFIRMED = "confirmed", _("bestätigt")
        CHECKED_IN = "checked_in", _("angemeldet, wartet")
        CALLED = "called", _("aufgerufen")
        DONE = "done", _("erledigt")
        NO_SHOW = "no_show", _("nicht erschienen")
        CANCELLED = "cancelled", _("storniert")
        LAPSED = "lapsed", _("verfallen")

    OPEN = (Status.RESERVED, Status.PRECONFIRMED, Status.CONFIRMED, Status.CHECKED_IN, Status.CALLED)
    HOLDING = (Status.RESERVED, Status.PRECONFIRMED)

    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ONLINE)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.RESERVED)
    services = models.ManyToManyField("directory.Service", related_name="+")
    counter = models.ForeignKey(Counter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    code = models.CharField(max_length=9, unique=True)
    # The personal link is derived from the pk and this nonce (HMAC); only the nonce is stored.
    link_nonce = models.CharField(max_length=32)
    # The e-mail verification link, likewise; emptied when used, so it works once.
    verify_nonce = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    email_normalised = models.CharField(max_length=254, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The request that made this hold (SHA-256 of the booking form's one-time token): unique, so
    # one form submission (a double click) creates at most one hold; the second finds the first.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Where the booking was made (scheme and host of the web form; empty from the API and the
    # demo): a record only. The links in e-mails go to the configured site address (kernel.urls)
    # whatever the channel, never to this (issue 20, finding 5).
    origin = models.CharField(max_length=200, blank=True)
    held_until = models.DateTimeField(null=True, blank=True)
    queue_number = models.CharField(max_length=10, blank=True)
    # Counts moves and cancellation: the iCalendar SEQUENCE (RFC 5545 § 3.8.7.4).
    revision = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # When the confirmation of the current time went out (None again after a move until the new
    # one has): a reminder never goes before it (see ``services.reminder_send``).
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        indexes = [
            models.Index(fields=["office", "start"], name="appt_office_start"),
            models.Index(fields=["office", "status", "checked_in_at"], name="appt_office_queue"),
            models.Index(fields=["status", "held_until"], name="appt_status_held"),
        ]

    def __str__(self) -> str:
        return self.code


class SlotClaim(models.Model):
    """An appointment's hold on one unit. ``slot`` is unique: the guarantee against double booking."""

    slot = models.OneToOneField(Slot, on_delete=models.CASCADE, related_name="claim")
    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="claims")
    # Copied from the appointment while it is only held, so that availability can count
    # lapsed holds as free without a join; None once confirmed.
    held_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.slot} → {self.appointment}"
