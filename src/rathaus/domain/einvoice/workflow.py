"""The approval workflow of an accepted e-invoice at the receiving authority, as a state machine.

Before a public body pays an invoice, the claim is established (Feststellung) and the payment is
ordered (Anordnung): § 70 LHO allows payments only on a written or electronic payment order, and
the administrative rules to § 70 LHO split the establishment into the factual check (*sachlich
richtig*: goods or services delivered as ordered, prices as agreed) and the arithmetic check
(*rechnerisch richtig*: amounts and calculations correct). The two checks are made by two
different people (four-eyes principle), in either order; only then may the payment be ordered.
The order goes to the budget and cash accounting system (HKR) by an export, which pays it.

States (``State``) and actions (``Action``)::

    accepted ─approve_factual──▶ factually_approved ──approve_arithmetic─┐
       │    └approve_arithmetic▶ arithmetically_approved ─approve_factual┴▶ approved
       │                                                                      │ order_payment
       │                                                                      ▼
       │                                                 payment_ordered ─export─▶ exported ─mark_paid─▶ paid
       └── decline (with a reason) from every state before ``exported`` ──▶ declined

``apply`` is the only transition function; it refuses with ``TransitionRefused`` (a stable
``code`` and a German message). Actors are opaque identifiers (a user's primary key as text).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "Action",
    "State",
    "TransitionRefused",
    "Workflow",
    "allowed_actions",
    "apply",
    "TRANSITIONS",
]


class State(StrEnum):
    ACCEPTED = "accepted"  # received and routed, waiting for the checks
    FACTUALLY_APPROVED = "factually_approved"  # sachlich richtig festgestellt
    ARITHMETICALLY_APPROVED = "arithmetically_approved"  # rechnerisch richtig festgestellt
    APPROVED = "approved"  # both checks made by two people
    PAYMENT_ORDERED = "payment_ordered"  # Zahlungsanordnung erteilt
    EXPORTED = "exported"  # handed to the HKR system
    PAID = "paid"  # the cash office reported the payment
    DECLINED = "declined"  # zurückgewiesen by the authority, with a reason


class Action(StrEnum):
    APPROVE_FACTUAL = "approve_factual"
    APPROVE_ARITHMETIC = "approve_arithmetic"
    ORDER_PAYMENT = "order_payment"
    EXPORT = "export"
    MARK_PAID = "mark_paid"
    DECLINE = "decline"


_DECLINABLE = (
    State.ACCEPTED,
    State.FACTUALLY_APPROVED,
    State.ARITHMETICALLY_APPROVED,
    State.APPROVED,
    State.PAYMENT_ORDERED,
)

# (state, action) → next state; every pair not listed is refused.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.ACCEPTED, Action.APPROVE_FACTUAL): State.FACTUALLY_APPROVED,
    (State.ACCEPTED, Action.APPROVE_ARITHMETIC): State.ARITHMETICALLY_APPROVED,
    (State.FACTUALLY_APPROVED, Action.APPROVE_ARITHMETIC): State.APPROVED,
    (State.ARITHMETICALLY_APPROVED, Action.APPROVE_FACTUAL): State.APPROVED,
    (State.APPROVED, Action.ORDER_PAYMENT): State.PAYMENT_ORDERED,
    (State.PAYMENT_ORDERED, Action.EXPORT): State.EXPORTED,
    (State.EXPORTED, Action.MARK_PAID): State.PAID,
    **{(state, Action.DECLINE): State.DECLINED for state in _DECLINABLE},
}

_STATE_TEXT = {
    State.ACCEPTED: "eingegangen und noch nicht geprüft",
    State.FACTUALLY_APPROVED: "sachlich richtig festgestellt",
    State.ARITHMETICALLY_APPROVED: "rechnerisch richtig festgestellt",
    State.APPROVED: "sachlich und rechnerisch richtig festgestellt",
    State.PAYMENT_ORDERED: "zur Zahlung angeordnet",
    State.EXPORTED: "an das Haushalts- und Kassensystem übergeben",
    State.PAID: "bezahlt",
    State.DECLINED: "zurückgewiesen",
}


class TransitionRefused(ValueError):
    """The action is not possible now; ``code`` is stable, ``message`` German for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Workflow:
    """The workflow facts of one invoice: its state and who made which check."""

    state: State = State.ACCEPTED
    factual_by: str | None = None
    arithmetic_by: str | None = None
    ordered_by: str | None = None
    declined_by: str | None = None
    decline_reason: str = ""


def allowed_actions(state: State) -> list[Action]:
    """The actions the state machine permits in ``state`` (before the four-eyes check)."""
    return [action for (source, action) in TRANSITIONS if source == state]


# The two approvals (four eyes): the field an approval sets, the other approval's field, and
# the words of the refusal when one person would make both.
_APPROVALS = {
    Action.APPROVE_FACTUAL: ("factual_by", "arithmetic_by", "rechnerisch", "sachliche"),
    Action.APPROVE_ARITHMETIC: ("arithmetic_by", "factual_by", "sachlich", "rechnerische"),
}


def apply(workflow: Workflow, action: Action, *, actor: str, reason: str = "") -> Workflow:
    """The workflow after ``actor`` did ``action``; ``TransitionRefused`` if not allowed.

    Refusals: ``state`` (the action does not fit the current state, e.g. a second approval of
    the same kind after a double click), ``four_eyes`` (the other check was made by the same
    person), ``reason_missing`` (a decline needs a reason), ``actor_missing``.
    """
    if not actor:
        raise TransitionRefused("actor_missing", "Es ist nicht bekannt, wer die Aktion ausführt.")
    target = TRANSITIONS.get((workflow.state, action))
    if target is None:
        raise TransitionRefused(
            "state",
            f"Das ist nicht möglich: Die Rechnung ist {_STATE_TEXT[workflow.state]}.",
        )
    if action in _APPROVALS:
        field, other, other_done, this_check = _APPROVALS[action]
        if getattr(workflow, other) == actor:
            raise TransitionRefused(
                "four_eyes",
                f"Vier-Augen-Prinzip: Sie haben die Rechnung schon {other_done} richtig festgestellt; "
                f"die {this_check} Richtigkeit muss eine andere Person feststellen.",
            )
        return replace(workflow, state=target, **{field: actor})
    if action is Action.ORDER_PAYMENT:
        return replace(workflow, state=target, ordered_by=actor)
    if action is Action.DECLINE:
        if not reason.strip():
            raise TransitionRefused("reason_missing", "Bitte begründen Sie die Zurückweisung.")
        return replace(workflow, state=target, declined_by=actor, decline_reason=reason.strip())
    return replace(workflow, state=target)
