"""The caches of ``find`` (answers and typo vocabularies), invalidated when index changes commit.

Every change of the index (``index_document``, ``remove_document``) calls ``changed`` with
the visibilities it touched. Right after the transaction commits (``transaction.on_commit``)
each of them gets a new random stamp in ``kernel_searchstamp``; a rolled-back change writes
nothing, and no lock is held while the transaction runs. A reader first reads the stamps of
the visibilities it asks for (one query on the primary key) and uses a cached entry only if
it was built under the same stamps, so a change committed by any process is seen by the
next search of every process; changes of other visibilities (the E-Akte's) leave the public
entries alone.

Inside a transaction (``connection.in_atomic_block``) the caches are neither read nor
filled: the transaction may hold uncommitted changes of the index.

Safety net: entries are used at most ``RESULTS_MAX_AGE_SECONDS`` / ``VOCABULARY_MAX_AGE_SECONDS``
(a process killed between a commit and its stamp write leaves the others stale that long).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from ..models import SearchStamp

RESULTS_MAX_AGE_SECONDS = 300.0  # answers per process: settings.SEARCH_RESULTS_CACHE_SIZE
VOCABULARY_SIZE = 8  # typo vocabularies per process, one per set of visibilities asked for
VOCABULARY_MAX_AGE_SECONDS = 3600.0

Stamps = tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    visibility: frozenset[str]
    stamps: Stamps
    stored_at: float
    value: object


class Store:
    """A small LRU map of entries, each valid for the stamps it was built under.

    ``size`` tells how many entries to keep (asked at every ``put``; 0: none).
    """

    def __init__(self, size: Callable[[], int], max_age: float) -> None:
        self._size = size
        self.max_age = max_age
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    def get(self, key: Hashable, stamps: Stamps) -> object | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.stamps != stamps or time.monotonic() - entry.stored_at > self.max_age:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: Hashable, *, visibility: Iterable[str], stamps: Stamps, value: object) -> None:
        size = self._size()
        entry = _Entry(frozenset(visibility), stamps, time.monotonic(), value)
        with self._lock:
            if size > 0:
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > max(size, 0):
                self._entries.popitem(last=False)

    def forget(self, visibility: Iterable[str] | None = None) -> None:
        """Drop the entries built over any of these visibilities (None: all)."""
        labels = None if visibility is None else set(visibility)
        with self._lock:
            for key in [k for k, e in self._entries.items() if labels is None or e.visibility & labels]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


results = Store(lambda: int(settings.SEARCH_RESULTS_CACHE_SIZE), RESULTS_MAX_AGE_SECONDS)
vocabularies = Store(lambda: VOCABULARY_SIZE, VOCABULARY_MAX_AGE_SECONDS)


def current_stamps(visibility: list[str]) -> Stamps | None:
    """The stamps of these visibilities now, or None when caches must not be used here."""
    if connection.in_atomic_block:
        return None
    with connection.cursor() as cursor:  # a plain cursor: this runs before every cached answer
        cursor.execute(
            "SELECT visibility, stamp FROM kernel_searchstamp"  # noqa: S608 - placeholders only
            f" WHERE visibility IN ({', '.join(['%s'] * len(visibility))})",
            visibility,
        )
        stored = dict(cursor.fetchall())
    return tuple(stored.get(label, "") for label in visibility)


def changed(visibility: Iterable[str]) -> None:
    """Call inside the transaction that changed documents of these visibilities.

    One stamp write per transaction, however many documents it changes: a pending write
    takes the labels in. That is safe: Django drops a pending callback only when a savepoint
    it was registered in rolls back, and a savepoint still open is one this change is in
    too (a released one can no longer roll back); at worst a stamp changes needlessly.
    A plain function, not a ``functools.partial``: Django logs a failing callback's
    ``__qualname__``.
    """
    labels = set(visibility)
    for registered in connection.run_on_commit:  # (savepoint ids, callback, robust)
        pending = getattr(registered[1], "search_labels", None)
        if isinstance(pending, set):
            pending.update(labels)
            return

    def stamp() -> None:
        _committed(sorted(labels))

    stamp.search_labels = labels  # type: ignore[attr-defined]
    transaction.on_commit(stamp, robust=True)


def _committed(labels: list[str]) -> None:
    stamp = secrets.token_hex(8)
    try:
        SearchStamp.objects.bulk_create(
            [SearchStamp(visibility=label, stamp=stamp) for label in labels],
            update_conflicts=True,
            unique_fields=["visibility"],
            update_fields=["stamp"],
        )
    finally:
        results.forget(labels)
        vocabularies.forget(labels)


def forget_all() -> None:
    """Empty this process's caches (the registered sources changed)."""
    results.forget()
    vocabularies.forget()
