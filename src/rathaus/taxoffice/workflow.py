"""Which status a tax return may go to from which: a small explicit state machine.

An objection (Einspruch, § 347 AO) lies only against an assessment that was sent; after an
objection the office works on the return again or sends a new assessment (Abhilfe, § 367
Abs. 2 AO / § 172 AO). A return that was received is never "received" again.
"""

from __future__ import annotations

from .models import TaxReturn

S = TaxReturn.Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.IN_PROCESSING, S.QUERY, S.ASSESSMENT_SENT),
    S.IN_PROCESSING: (S.QUERY, S.ASSESSMENT_SENT),
    S.QUERY: (S.IN_PROCESSING, S.ASSESSMENT_SENT),
    S.ASSESSMENT_SENT: (S.OBJECTION,),
    S.OBJECTION: (S.IN_PROCESSING, S.ASSESSMENT_SENT),
}


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses a return in ``status`` may go to."""
    return TRANSITIONS.get(status, ())


def may_go(current: str, new: str) -> bool:
    return new in allowed_next(current)
