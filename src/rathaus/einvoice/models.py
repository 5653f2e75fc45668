"""Inbound e-invoices: the original bytes (blob), the verdict, the routing result and the
approval workflow; the routing table managed by staff; the payment export runs for the HKR."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InboundInvoice(models.Model):
    """One submitted document, accepted or not; nothing a supplier sends is dropped."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Eingegangen")
        REJECTED = "rejected", _("Abgelehnt")
        ACCEPTED = "accepted", _("Angenommen")

    class State(models.TextChoices):
        """Workflow state of an accepted invoice (``rathaus.domain.einvoice.workflow.State``)."""

        ACCEPTED = "accepted", _("Zu prüfen")
        FACTUALLY_APPROVED = "factually_approved", _("Sachlich richtig")
        ARITHMETICALLY_APPROVED = "arithmetically_approved", _("Rechnerisch richtig")
        APPROVED = "approved", _("Sachlich und rechnerisch richtig")
        PAYMENT_ORDERED = "payment_ordered", _("Zahlung angeordnet")
        EXPORTED = "exported", _("An HKR übergeben")
        PAID = "paid", _("Bezahlt")
        DECLINED = "declined", _("Zurückgewiesen")

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
    # Where notices go when no submitting user has an address (e.g. e-mail intake: the sender).
    notice_email = models.EmailField(blank=True)
    is_credit_note = models.BooleanField(default=False)  # BT-3 381/396/261/532
    due_date = models.DateField(null=True, blank=True)  # BT-9
    payee_iban = models.CharField(max_length=34, blank=True)  # BT-84
    route = models.ForeignKey(
        "einvoice.LeitwegRoute", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The E-Akte case the invoice is filed in (efile.services.case_create).
    case = models.ForeignKey("efile.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # Approval workflow (accepted invoices only); ``version`` guards against stale forms.
    state = models.CharField(max_length=30, choices=State.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    factual_approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    factual_approved_at = models.DateTimeField(null=True, blank=True)
    arithmetic_approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    arithmetic_approved_at = models.DateTimeField(null=True, blank=True)
    payment_ordered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_ordered_at = models.DateTimeField(null=True, blank=True, db_index=True)
    declined_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    payment_export = models.ForeignKey(
        "einvoice.PaymentExport", null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("Eingangsrechnung")
        verbose_name_plural = _("Eingangsrechnungen")
        indexes = [models.Index(fields=["office", "state", "-id"], name="einvoice_inbox_idx")]
        constraints = [
            # An invoice is processed once: one accepted invoice per seller and invoice number.
            models.UniqueConstraint(
                fields=["seller_key", "invoice_number"],
                condition=models.Q(status="accepted"),
                name="einvoice_accepted_once_per_seller_and_number",
            ),
            # Four-eyes principle: the factual and the arithmetic check by two different people.
            models.CheckConstraint(
                condition=Q(factual_approved_by__isnull=True)
                | Q(arithmetic_approved_by__isnull=True)
                | ~Q(factual_approved_by=F("arithmetic_approved_by")),
                name="einvoice_four_eyes",
            ),
            # No payment order without both checks.
            models.CheckConstraint(
                condition=~Q(state__in=["payment_ordered", "exported", "paid"])
                | (Q(factual_approved_by__isnull=False) & Q(arithmetic_approved_by__isnull=False)),
                name="einvoice_order_needs_both_checks",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number or '?'} ({self.get_status_display()})"


class LeitwegRoute(models.Model):
    """One line of the routing table: a Leitweg-ID (exact) or a prefix → the receiving authority.

    Managed by staff (admin, through ``services.route_create``/``route_update``, audited);
    the choice rules are in ``rathaus.domain.einvoice.routing``.
    """

    class Match(models.TextChoices):
        EXACT = "exact", _("genau diese Leitweg-ID")
        PREFIX = "prefix", _("alle Leitweg-IDs mit diesem Anfang")

    pattern = models.CharField(_("Leitweg-ID oder Anfang"), max_length=46, db_index=True)
    match = models.CharField(_("Vergleich"), max_length=10, choices=Match.choices, default=Match.EXACT)
    office = models.ForeignKey(
        "directory.Office",
        verbose_name=_("Rechnungsempfänger"),
        on_delete=models.PROTECT,
        related_name="einvoice_routes",
    )
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"), null=True, blank=True)
    note = models.CharField(_("Bemerkung"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        ordering = ["pattern", "-valid_from"]
        verbose_name = _("Leitweg-Route")
        verbose_name_plural = _("Leitweg-Routing")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="einvoice_route_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        star = "*" if self.match == self.Match.PREFIX else ""
        return f"{self.pattern}{star} → {self.office}"


class PaymentExport(models.Model):
    """One run of the payment export to the HKR system; the file is kept (blob) for re-download."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # None: all offices (the cash office's run); otherwise one office's own export.
    office = models.ForeignKey(
        "directory.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    format = models.CharField(max_length=20)
    count = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=19, decimal_places=2)
    # Set in the same transaction right after the row (the file carries the export number).
    blob = models.ForeignKey("kernel.Blob", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Zahlungsexport")
        verbose_name_plural = _("Zahlungsexporte")

    def __str__(self) -> str:
        return f"HKR-Export {self.pk} ({self.count})"

    @property
    def filename(self) -> str:
        return f"hkr-zahlungen-{self.pk:06d}.csv"
