"""Euro helpers for apps: re-exports ``rathaus.domain.money`` (Decimal only, never float)."""

from rathaus.domain import money as _domain
from rathaus.domain.money import *  # noqa: F403 (the names domain.money.__all__ lists)

__all__ = _domain.__all__
