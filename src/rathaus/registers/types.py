"""The registers app's public types: the classes other apps name in annotations (a resident
found by the registers' own search). Reads go through ``rathaus.registers.selectors``."""

from __future__ import annotations

from .models import Person

__all__ = ["Person"]
