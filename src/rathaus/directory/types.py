"""The directory app's public types: the classes other apps name in annotations, foreign keys
and filters (the office an E-Akte file belongs to, the service a fee is charged for). Reads go
through ``rathaus.directory.selectors``, writes through ``rathaus.directory.services``."""

from __future__ import annotations

from .models import LifeSituation, Office, OpeningHours, Service

__all__ = ["LifeSituation", "Office", "OpeningHours", "Service"]
