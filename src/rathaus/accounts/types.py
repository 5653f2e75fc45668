"""The accounts app's public types: the classes other apps name in annotations, foreign keys
and filters. Reads go through ``rathaus.accounts.selectors``, writes through
``rathaus.accounts.services``."""

from __future__ import annotations

from .models import ApiToken, EidasLevel, Organisation, StaffRole, User

__all__ = ["ApiToken", "EidasLevel", "Organisation", "StaffRole", "User"]
