"""Fees, claims, the ledger, payments, refunds, bank statements and fulfilments.

Amounts are ``DecimalField(max_digits=12, decimal_places=2)`` in euros; rows are written
only by ``services``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def money_field(**options: Any) -> models.DecimalField[Decimal, Decimal]:
    """Euros with cents: 12 digits, 2 decimal places."""
    return models.DecimalField(max_digits=12, decimal_places=2, **options)


class PaymentPolicy(models.TextChoices):
    """XBezahldienste: how a service is paid."""

    NONE = "none", _("Keine Zahlung")
    OPTIONAL = "optional", _("Zahlung optional")
    MANDATORY = "mandatory", _("Zahlung vor Absenden")
    DEFERRED = "deferred", _("Zahlung nach Leistung (Rechnung)")


class FeeTariff(models.Model):
    """One version of one line of the fee schedule (Gebührenverzeichnis)."""

    class Kind(models.TextChoices):
        FLAT = "flat", _("Festgebühr")
        PER_UNIT = "per_unit", _("Gebühr je Einheit")
        RANGE = "range", _("Rahmengebühr")
        TIERED = "tiered", _("Wertgebühr")

    key = models.SlugField(max_length=80)
    # Stable link to a directory service: its 14-digit LeiKa key (see decision 0090).
    service_key = models.CharField(max_length=14, blank=True, db_index=True)
    title = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = money_field()
    unit_label = models.CharField(max_length=40, blank=True)
    minimum = money_field(null=True, blank=True)
    maximum = money_field(null=True, blank=True)
    tiers = models.JSONField(default=list, blank=True)
    reductions = models.JSONField(default=list, blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    payment_policy = models.CharField(
        max_length=20, choices=PaymentPolicy.choices, default=PaymentPolicy.OPTIONAL
    )
    budget_account = models.CharField(
        max_length=40, blank=True, help_text="Haushaltsstelle für die HKR-Übergabe"
    )
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["key", "-valid_from"]
        constraints = [models.UniqueConstraint(fields=["key", "valid_from"], name="feetariff_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} (ab {self.valid_from:%d.%m.%Y})"


class ClaimSerial(models.Model):
    """The last serial number of Kassenzeichen issued per year."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Claim(models.Model):
    """A claim (Forderung) of the city with its Kassenzeichen."""

    class Status(models.TextChoices):
        OPEN = "open", _("Offen")
        PARTLY_PAID = "partly_paid", _("Teilweise bezahlt")
        PAID = "paid", _("Bezahlt")
        REFUNDED = "refunded", _("Erstattet")
        CANCELLED = "cancelled", _("Aufgehoben")

    kassenzeichen = models.CharField(max_length=12, unique=True)
    office = models.ForeignKey("directory.Office", on_delete=models.PROTECT, related_name="+")
    debtor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payment_claims",
    )
    debtor_name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=200)
    amount = money_field()
    paid_total = money_field(default=0, help_text="Alles Eingegangene")
    settled_total = money_field(default=0, help_text="Auf die Forderung angerechnet")
    refunded_total = money_field(default=0)
    held_total = money_field(default=0, help_text="Überzahlung in Verwahrung")
    # Not indexed: a claim whose status changes then keeps its index entries (a HOT update on
    # PostgreSQL, with the room migration 0008 leaves on each page), decision 0112.
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField()
    tariff = models.ForeignKey(
        FeeTariff, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    fee_lines = models.JSONField(default=list, blank=True)
    payment_policy = models.CharField(
        max_length=20, choices=PaymentPolicy.choices, default=PaymentPolicy.OPTIONAL
    )
    budget_account = models.CharField(max_length=40, blank=True)
    # What is delivered once the claim is paid: the key of a product in the fulfilment
    # registry (``services.product_register``, decision 0093); empty for a plain fee.
    product = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="claim_amount_positive"),
            models.CheckConstraint(condition=models.Q(paid_total__gte=0), name="claim_paid_not_negative"),
            models.CheckConstraint(
                condition=models.Q(refunded_total__gte=0), name="claim_refunded_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.display_kassenzeichen

    @property
    def display_kassenzeichen(self) -> str:
        k = self.kassenzeichen
        return f"{k[:4]}-{k[4:11]}-{k[11:]}"

    @property
    def open_amount(self) -> Decimal:
        if self.status == self.Status.CANCELLED:
            return Decimal("0.00")
        return max(self.amount - self.settled_total, Decimal("0.00"))

    @property
    def refundable_amount(self) -> Decimal:
        return self.paid_total - self.refunded_total


class JournalEntry(models.Model):
    """One booking; its postings sum to zero."""

    kind = models.CharField(max_length=40)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="journal")
    memo = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)  # not indexed: never searched (0112)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(max_length=20)  # four accounts: an index would not narrow (0112)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="postings")
    amount = money_field()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


class Payment(models.Model):
    """Money for a claim: online through a payment service, or a bank transfer."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Online-Zahlung")
        BANK = "bank", _("Überweisung")

    class Status(models.TextChoices):
        INITIAL = "INITIAL", _("Begonnen")
        PAYED = "PAYED", _("Bezahlt")
        FAILED = "FAILED", _("Fehlgeschlagen")
        CANCELED = "CANCELED", _("Abgebrochen")
        TIMEOUT = "TIMEOUT", _("Zeit abgelaufen")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=10, choices=Method.choices)
    provider = models.CharField(max_length=60, blank=True)
    request_id = models.CharField(max_length=64, unique=True)
    # Searched only for online payments (a provider's notification): indexed there (Meta).
    transaction_id = models.CharField(max_length=100, blank=True)
    transaction_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIAL)
    amount = money_field()
    currency = models.CharField(max_length=3, default="EUR")
    payment_method = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True, db_index=True)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the partial index below: a bank transfer has no one who initiated it
    )
    bank_credit = models.OneToOneField(
        "payments.BankCredit", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["initiated_by"],
                condition=models.Q(initiated_by__isnull=False),
                name="payment_initiated_by",
            ),
            models.Index(
                fields=["transaction_id"],
                condition=models.Q(method="online"),
                name="payment_online_transaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} ({self.status})"


class Refund(models.Model):
    """A refund: requested with a reason, approved by a second person (four eyes), then paid out."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Beantragt")
        EXECUTED = "executed", _("Ausgezahlt")
        REJECTED = "rejected", _("Abgelehnt")

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    reason = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # Same key → same refund: a repeated request never pays out twice.
    request_key = models.CharField(max_length=100)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "request_key"], name="refund_request_key_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Erstattung {self.amount} ({self.get_status_display()})"


class NotificationEvent(models.Model):
    """A payment notification as received (deduplicated by ``event_id``)."""

    event_id = models.CharField(max_length=100, unique=True)
    transaction_id = models.CharField(max_length=100)
    status = models.CharField(max_length=10)
    amount = money_field()
    currency = models.CharField(max_length=3)
    outcome = models.CharField(max_length=20)
    detail = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.outcome}"


class BankStatement(models.Model):
    """An imported camt.053 statement or camt.054 notification (booked in batches, one
    transaction each; ``completed_at`` marks a file read to its end)."""

    kind = models.CharField(max_length=20)
    account_iban = models.CharField(max_length=34)
    message_id = models.CharField(max_length=100)
    statement_id = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    credits = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(default=timezone.now)
    # Set when the last batch of the file is booked; empty while an import runs or after one
    # was interrupted (importing the same file again continues it).
    completed_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.statement_id}"


class BankCredit(models.Model):
    """One credit on the cash office's account, and what it was matched to."""

    class Status(models.TextChoices):
        MATCHED = "matched", _("Zugeordnet")
        PARTIAL = "partial", _("Teilzahlung zugeordnet")
        OVER = "over", _("Überzahlung zugeordnet")
        HELD = "held", _("Forderung schon bezahlt – in Verwahrung")
        UNMATCHED = "unmatched", _("Nicht zugeordnet")
        ASSIGNED = "assigned", _("Manuell zugeordnet")

    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="credit_rows")
    # Entry reference of the bank (AcctSvcrRef) or a hash of the entry: one credit is booked once.
    dedup_key = models.CharField(max_length=120, unique=True)
    # The bank's entry (IBAN and AcctSvcrRef) this credit belongs to: a batch entry
    # ("Sammler") in camt.053 and its breakdown in camt.054 carry the same one, and the
    # money of one entry is booked from one file only. Empty when the bank gave no reference.
    entry_key = models.CharField(max_length=120, blank=True, db_index=True)
    amount = money_field()
    currency = models.CharField(max_length=3)
    booked_on = models.DateField()
    debtor_name = models.CharField(max_length=140, blank=True)
    debtor_iban = models.CharField(max_length=34, blank=True)
    remittance = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    claim = models.ForeignKey(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="credits")
    match_how = models.CharField(max_length=20, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-booked_on", "-id"]
        # The manual queue (``selectors.unmatched_credits``), the only search by status or day:
        # the credits matched on import, most of them, get no entry (decision 0112).
        indexes = [
            models.Index(
                fields=["booked_on", "id"],
                condition=models.Q(status="unmatched"),
                name="bankcredit_unmatched_queue",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.booked_on}"


class SandboxTransaction(models.Model):
    """A payment at the built-in sandbox payment service (speaks XBezahldienste)."""

    transaction_id = models.CharField(max_length=64, unique=True)
    request = models.JSONField()
    status = models.CharField(max_length=10, default="INITIAL")
    amount = money_field()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.transaction_id


class SandboxEvent(models.Model):
    """A notification the sandbox sends (or holds back to simulate late delivery)."""

    transaction = models.ForeignKey(SandboxTransaction, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=64)
    body = models.TextField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.event_id


class Fulfilment(models.Model):
    """The delivery of what a paid claim paid for, by the product its ``Claim.product`` names.

    Created in the transaction that books the claim as paid, so no paid claim's delivery is
    lost; the background task ``tasks.claim_fulfil`` marks it done or records, in German, why
    it failed (decision 0093).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Wird bereitgestellt")
        RETRYING = "retrying", _("Fehlgeschlagen, wird erneut versucht")
        FAILED = "failed", _("Fehlgeschlagen")
        DONE = "done", _("Bereitgestellt")

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="fulfilment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Bereitstellung {self.claim_id} ({self.get_status_display()})"
