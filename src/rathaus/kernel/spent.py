"""One-time tokens that count once: a solved proof of work, a waiting ticket, a one-time link.

``spend(purpose=…, value=…, expires_at=…)`` records that ``value`` was used and says whether it
was the first time. The record is a row with a unique key (an HMAC of purpose and value; the
value itself is not stored), so the answer is decided by the database, also for two requests at
the same moment, and lasts until ``expires_at``: a cache may evict an entry under load, and a
token evicted there would count again (decision 0085). ``expires_at`` must not be earlier than
the moment the token stops being valid by itself; ``purge_expired`` (run daily by housekeeping)
deletes the rows after it.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import SpentToken

MAX_PURPOSE = 40


def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"rathaus.kernel.spent:{purpose}", value, algorithm="sha256").hexdigest()


def spend(*, purpose: str, value: str, expires_at: datetime.datetime) -> bool:
    """True the first time ``value`` is spent for ``purpose``, False every later time."""
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise ValueError(f"purpose must have 1 to {MAX_PURPOSE} characters")
    try:
        with transaction.atomic():
            SpentToken.objects.create(purpose=purpose, digest=_digest(purpose, value), expires_at=expires_at)
    except IntegrityError:
        return False
    return True


def purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the records of tokens that have expired by themselves; returns how many."""
    deleted, _by_model = SpentToken.objects.filter(expires_at__lt=now or timezone.now()).delete()
    return deleted
