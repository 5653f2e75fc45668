"""Writes of the Terminvergabe: planning, slots, the booking's life cycle, the office's queue.

Public: planning ``plan_upsert``, ``counter_ensure``, ``opening_hours_set``,
``opening_exception_add``, ``offer_upsert``, ``slots_generate``, ``planning_row_save``,
``planning_row_delete``, ``plan_apply`` (a whole plan file; exception ``PlanRefused``); booking
``appointment_reserve``, ``appointment_preconfirm``, ``appointment_confirm_with_account``,
``appointment_verify``, ``appointment_cancel``, ``appointment_move``, ``holds_release_lapsed``;
what the citizen was sent ``confirmation_send``, ``reminder_send``, ``reminders_send_due``; at
the office ``day_list_read``, ``staff_day_list_read``, ``appointment_check_in``,
``walk_in_create``, ``call_next``, ``appointment_finish``, ``appointment_no_show``; exception
``BookingRefused``.

By responsibility: ``planning`` (the office's plan and units), ``plan_file`` (a plan file
applied through ``planning``), ``booking`` (reserve, move, cancel), ``confirmation`` (from hold
to booking), ``reminders`` (confirmation and reminder sent once), ``desk`` (check-in, queue,
outcome, the day list). Import from this package, not from its modules.

The life cycle: reserved (a short hold after the proof of work) → preconfirmed (name and
e-mail given, waiting for the verification link) → confirmed. A hold that runs out lapses
and its units count as free at once (availability ignores lapsed holds' claims); the next
reservation of such a unit lapses the hold and deletes its claims in its own transaction. The
lapse is decided once, under the hold's row lock, which the owner's confirmation takes too;
every path locks appointments before their claims, is repeated after a deadlock, and the
database refuses to take a confirmed appointment's claims (``claim_guard``; decision 0084).
E-mails go out through the tasks in ``mails`` once a transaction has committed.
"""

from __future__ import annotations

from ._common import HOLD_EXPIRED, By
from .booking import (
    REFUSAL_MESSAGES,
    BookingRefused,
    appointment_cancel,
    appointment_move,
    appointment_reserve,
    holds_release_lapsed,
)
from .confirmation import (
    LINK_INVALID,
    appointment_confirm_with_account,
    appointment_preconfirm,
    appointment_verify,
)
from .desk import (
    appointment_check_in,
    appointment_finish,
    appointment_no_show,
    call_next,
    day_list_read,
    staff_day_list_read,
    walk_in_create,
)
from .plan_file import PlanRefused, plan_apply
from .planning import (
    PlanningRow,
    counter_ensure,
    offer_upsert,
    opening_exception_add,
    opening_hours_set,
    plan_upsert,
    planning_row_delete,
    planning_row_save,
    slots_generate,
)
from .reminders import confirmation_send, reminder_send, reminders_send_due

__all__ = [
    "HOLD_EXPIRED",
    "LINK_INVALID",
    "REFUSAL_MESSAGES",
    "BookingRefused",
    "By",
    "PlanRefused",
    "PlanningRow",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_confirm_with_account",
    "appointment_finish",
    "appointment_move",
    "appointment_no_show",
    "appointment_preconfirm",
    "appointment_reserve",
    "appointment_verify",
    "call_next",
    "confirmation_send",
    "counter_ensure",
    "day_list_read",
    "holds_release_lapsed",
    "offer_upsert",
    "opening_exception_add",
    "opening_hours_set",
    "plan_apply",
    "plan_upsert",
    "planning_row_delete",
    "planning_row_save",
    "reminder_send",
    "reminders_send_due",
    "slots_generate",
    "staff_day_list_read",
    "walk_in_create",
]
