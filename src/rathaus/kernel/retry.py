"""Run a transaction again when the database gave it up because of a concurrent one.

PostgreSQL ends one of two transactions that wait for each other (deadlock, SQLSTATE 40P01) and,
under REPEATABLE READ or SERIALIZABLE, one whose snapshot a concurrent commit made stale
(serialization failure, 40001). SQLite answers "database is locked" when its write lock was not
free within the busy timeout. Each time the transaction was rolled back as a whole, so running
it again is safe and is what the database asks for. ``retrying`` (decorator) and ``run`` do that
a bounded number of times with a random pause (jitter), so that the two contenders do not meet
again at once; when every attempt failed they raise ``Busy`` (409, a German message to try again
in a moment), never a 500.

Only the outermost transaction can be repeated: inside an ``atomic`` block (a caller's
transaction, a test's) the error is passed on unchanged for the caller to handle.
Decision 0084.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from .exceptions import Busy

P = ParamSpec("P")
R = TypeVar("R")

ATTEMPTS = 4
# The pause before attempt n+1 is random in [0, PAUSE * 2**n] seconds, at most MAX_PAUSE.
PAUSE = 0.025
MAX_PAUSE = 0.5
TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
SQLITE_LOCKED = ("database is locked", "database table is locked")

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


def is_transient(error: BaseException) -> bool:
    """Whether ``error`` is a deadlock, a serialization failure or SQLite's busy lock."""
    if not isinstance(error, OperationalError):
        return False
    for candidate in (error, error.__cause__):
        if getattr(candidate, "sqlstate", None) in TRANSIENT_SQLSTATES:
            return True
    return any(text in str(error) for text in SQLITE_LOCKED)


def run(func: Callable[[], R], *, attempts: int = ATTEMPTS, using: str = DEFAULT_DB_ALIAS) -> R:
    """``func()``, run again (up to ``attempts`` times in all) after a transient database error;
    ``Busy`` when the last attempt failed too. Inside an atomic block ``func`` runs once."""
    if connections[using].in_atomic_block:
        return func()
    for attempt in range(attempts):
        try:
            return func()
        except OperationalError as error:
            if not is_transient(error):
                raise
            if attempt + 1 == attempts:
                logger.warning("transaction gave up after %d attempts: %s", attempts, error)
                raise Busy() from error
            logger.info("transaction repeated after a transient database error: %s", error)
            time.sleep(min(MAX_PAUSE, _random.uniform(0, PAUSE * 2**attempt)))
    raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)


def retrying(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator: ``func`` (which opens its own transaction) is run through ``run``."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return run(lambda: func(*args, **kwargs))

    return wrapper
