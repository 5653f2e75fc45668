"""German labels for the codes of E-Payment: audit actions, ledger accounts, booking kinds.

People never see ``payments.refund_requested``, ``receivable`` or ``online_payment``: history
pages show ``action_label(entry.action)`` (registered in ``apps.PaymentsConfig.ready``), the
cash office's ledger the labels below (template filters ``account_label`` and
``entry_kind_label`` in ``payments_tags``). ``tests/test_labels.py`` checks the source for
actions, accounts and booking kinds without a label.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rathaus.domain.payments import ledger

ACTION_LABELS = {
    "payments.tariff_created": _("Gebührentarif angelegt"),
    "payments.tariff_updated": _("Gebührentarif geändert"),
    "payments.claim_created": _("Forderung angelegt"),
    "payments.claim_cancelled": _("Forderung aufgehoben"),
    "payments.payment_started": _("Online-Zahlung begonnen"),
    "payments.payment_status": _("Zahlungsstatus geändert"),
    "payments.notification_unknown": _("Zahlungsmeldung ohne passende Zahlung"),
    "payments.notification_mismatch": _("Zahlungsmeldung mit abweichendem Betrag"),
    "payments.refund_requested": _("Erstattung beantragt"),
    "payments.refund_rejected": _("Erstattung abgelehnt"),
    "payments.refund_executed": _("Erstattung ausgezahlt"),
    "payments.fulfilment_failed": _("Bereitstellung nach Zahlung fehlgeschlagen"),
    "payments.fulfilment_retried": _("Bereitstellung erneut angestoßen"),
    "payments.camt_imported": _("Kontoauszug eingelesen"),
    "payments.camt_batch_booked": _("Gutschriften eines Kontoauszugs gebucht (Teil)"),
    "payments.credit_assigned": _("Gutschrift manuell zugeordnet"),
    "payments.sandbox_decided": _("Sandbox-Zahlung entschieden"),
    "payments.sandbox_refund": _("Sandbox-Erstattung ausgeführt"),
}

ACCOUNT_LABELS = {
    ledger.RECEIVABLE: _("Forderungen"),
    ledger.REVENUE: _("Gebührenerträge"),
    ledger.BANK: _("Bankkonto der Kasse"),
    ledger.PSP: _("Verrechnungskonto Zahlungsdienst"),
    ledger.SUSPENSE: _("Verwahrgelder"),
}

ENTRY_KIND_LABELS = {
    "claim": _("Forderung angelegt"),
    "cancellation": _("Forderung aufgehoben"),
    "online_payment": _("Online-Zahlung"),
    "bank_payment": _("Überweisung"),
    "bank_unmatched": _("Nicht zugeordnete Gutschrift"),
    "manual_match": _("Manuelle Zuordnung"),
    "refund": _("Erstattung"),
}


def account_label(code: str) -> str:
    """The label of a ledger account; an unknown code stays visible rather than vanish."""
    label = ACCOUNT_LABELS.get(code)
    return str(label) if label is not None else code


def entry_kind_label(code: str) -> str:
    label = ENTRY_KIND_LABELS.get(code)
    return str(label) if label is not None else code
