"""German labels of the cadastre app's audit actions (registered in ``apps.CadastreConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "cadastre.order_created": _("Auszug aus der Liegenschaftskarte bestellt"),
    "cadastre.order_fulfilled": _("Auszug aus der Liegenschaftskarte bereitgestellt"),
    # Written while the extract was part of the payments app (before decision 0093).
    "payments.map_order_created": _("Auszug aus der Liegenschaftskarte bestellt"),
    "payments.map_order_fulfilled": _("Auszug aus der Liegenschaftskarte bereitgestellt"),
}
