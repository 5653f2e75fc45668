"""Register data as plain JSON values, for the exchange answers and the Art. 15 copy."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone


def plain(value: Any) -> Any:
    """``value`` as JSON: moments in local time, dates ISO, amounts as strings (exact), lists and
    dataclass records as arrays and objects; everything else as it is."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if hasattr(value, "__dataclass_fields__"):
        return {name: plain(getattr(value, name)) for name in value.__dataclass_fields__}
    return value
