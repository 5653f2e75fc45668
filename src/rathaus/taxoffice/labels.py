"""German labels for the audit actions the tax office records (``action=`` in this app),
registered in ``apps.TaxOfficeConfig.ready``. A staff read of one return is "taxreturn.read"
(kernel.audit's generic label)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "taxoffice.return_received": _("Steuererklärung eingegangen"),
    "taxoffice.status_changed": _("Stand der Steuererklärung geändert"),
    "taxoffice.returns_listed": _("Liste der Steuererklärungen eingesehen"),
}
