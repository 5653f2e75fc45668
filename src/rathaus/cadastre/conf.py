"""Settings of the cadastre app, with the embedded defaults (read at call time, never at import),
and the keys by which E-Payment knows the extract."""

from __future__ import annotations

from django.conf import settings

# The product key in the payments fulfilment registry (decision 0093).
PRODUCT = "cadastre.map_extract"
# The fee's line in the fee schedule (payments' Gebührenverzeichnis).
TARIFF_KEY = "liegenschaftskarte-auszug"


def office_slug() -> str:
    """The office that charges the fee and files the orders (the Geoinformation office)."""
    return getattr(settings, "RATHAUS_CADASTRE_OFFICE", "geoinformation")
