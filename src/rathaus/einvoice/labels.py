"""German labels for the audit actions the e-invoice platform records (``action=`` in this app).

History pages show ``{{ entry.action|action_label }}``, never ``einvoice.accepted``; the labels are
registered in ``apps.EinvoiceConfig.ready``. ``tests/test_labels.py`` checks the source for an
action without a label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    # Receipt (services.invoice_receive: "einvoice.<status>").
    "einvoice.received": _("Rechnung eingegangen"),
    "einvoice.accepted": _("Rechnung angenommen"),
    "einvoice.rejected": _("Rechnung abgelehnt"),
    # Filing in the E-Akte.
    "einvoice.filed": _("In der E-Akte abgelegt"),
    "einvoice.filing_failed": _("Ablage in der E-Akte fehlgeschlagen"),
    # The workflow ("einvoice.<rathaus.domain.einvoice.workflow.Action>").
    "einvoice.approve_factual": _("Sachliche Richtigkeit festgestellt"),
    "einvoice.approve_arithmetic": _("Rechnerische Richtigkeit festgestellt"),
    "einvoice.order_payment": _("Zahlung angeordnet"),
    "einvoice.export": _("An das Haushalts- und Kassensystem übergeben"),
    "einvoice.mark_paid": _("Als bezahlt eingetragen"),
    "einvoice.decline": _("Rechnung zurückgewiesen"),
    # Downloads and the payment export.
    "einvoice.original_downloaded": _("Originaldatei heruntergeladen"),
    "einvoice.payment_exported": _("Zahlungsexport erstellt"),
    "einvoice.payment_export_downloaded": _("Zahlungsexport heruntergeladen"),
    # The routing table.
    "einvoice.route_created": _("Leitweg-Route angelegt"),
    "einvoice.route_changed": _("Leitweg-Route geändert"),
    # The demo grants the demo clerk the routing permission.
    "accounts.permission_granted": _("Berechtigung erteilt"),
}
