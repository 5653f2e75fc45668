"""Cached fragments of public pages: a version stamp per data source, renewed on commit.

A page part that shows only public data (the start page's most used services and life
situations) and no per-user or per-request value (no CSRF token, no name, no nonce) is rendered
once per process, language and stamp with Django's ``{% cache %}`` tag into the process-local
``fragments`` cache (``settings.CACHES``)::

    {% cache FRAGMENT_SECONDS portal_home_directory LANGUAGE_CODE directory_stamp using="fragments" %}

The stamp of a source lives in the shared ``default`` cache (Redis or the database cache table),
so every web process sees a change: a service that changes the source calls
``renew_on_commit(source)``, and once its transaction commits the stamp gets a new random value;
the next request in every process then renders the fragment again. The stamp is read before the
data, so a fragment is never stored under a stamp newer than its data. A stamp that is missing
(a cleared or restarted cache) is created anew, which also renders everything again. Fragments
expire after ``FRAGMENT_SECONDS`` at the latest, should a stamp ever fail to be renewed.

Personal data never goes into these caches (docs/decisions/0015).
"""

from __future__ import annotations

import logging
import secrets

from django.core.cache import cache
from django.db import transaction

__all__ = ["FRAGMENT_SECONDS", "renew", "renew_on_commit", "stamp"]

FRAGMENT_SECONDS = 600
_PREFIX = "rathaus.fragments.stamp."
logger = logging.getLogger(__name__)


def stamp(source: str) -> str:
    """The current stamp of ``source`` (one read of the shared cache; created when missing).

    Should the shared cache fail or lose the new stamp at once, a stamp used for this request
    only is returned: the page then renders its fragments afresh instead of failing or reusing
    a fragment stored under a stamp that is no longer current."""
    key = _PREFIX + source
    try:
        value = cache.get(key)
        if value is None:
            cache.add(key, secrets.token_hex(8), timeout=None)
            value = cache.get(key)
    except Exception:  # the page must not fail with the cache; it only renders more
        logger.exception("Could not read the fragment stamp of %s", source)
        value = None
    return str(value) if value is not None else "once-" + secrets.token_hex(8)


def renew(source: str) -> None:
    """Give ``source`` a new stamp now: every fragment rendered from it is out of date."""
    cache.set(_PREFIX + source, secrets.token_hex(8), timeout=None)


def _renew_logged(source: str) -> None:
    try:
        renew(source)
    except Exception:  # the data is committed; a stale fragment expires after FRAGMENT_SECONDS
        logger.exception("Could not renew the fragment stamp of %s", source)


def renew_on_commit(source: str) -> None:
    """Renew ``source``'s stamp once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _renew_logged(source))
