"""The approval state machine (§ 70 LHO: establish factually and arithmetically, then order)."""

import pytest

from rathaus.domain.einvoice.workflow import (
    TRANSITIONS,
    Action,
    State,
    TransitionRefused,
    Workflow,
    allowed_actions,
    apply,
)

# Every (state, action) pair of the machine with the expected outcome: a state or a refusal code.
EXPECTED: dict[tuple[State, Action], State | str] = {
    (State.ACCEPTED, Action.APPROVE_FACTUAL): State.FACTUALLY_APPROVED,
    (State.ACCEPTED, Action.APPROVE_ARITHMETIC): State.ARITHMETICALLY_APPROVED,
    (State.ACCEPTED, Action.DECLINE): State.DECLINED,
    (State.FACTUALLY_APPROVED, Action.APPROVE_ARITHMETIC): State.APPROVED,
    (State.FACTUALLY_APPROVED, Action.DECLINE): State.DECLINED,
    (State.ARITHMETICALLY_APPROVED, Action.APPROVE_FACTUAL): State.APPROVED,
    (State.ARITHMETICALLY_APPROVED, Action.DECLINE): State.DECLINED,
    (State.APPROVED, Action.ORDER_PAYMENT): State.PAYMENT_ORDERED,
    (State.APPROVED, Action.DECLINE): State.DECLINED,
    (State.PAYMENT_ORDERED, Action.EXPORT): State.EXPORTED,
    (State.PAYMENT_ORDERED, Action.DECLINE): State.DECLINED,
    (State.EXPORTED, Action.MARK_PAID): State.PAID,
}


def _before(state: State) -> Workflow:
    """A workflow in ``state`` whose earlier checks were made by people other than "3"."""
    factual = "1" if state not in (State.ACCEPTED, State.ARITHMETICALLY_APPROVED) else None
    arithmetic = "2" if state not in (State.ACCEPTED, State.FACTUALLY_APPROVED) else None
    return Workflow(state=state, factual_by=factual, arithmetic_by=arithmetic)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("action", list(Action))
def test_every_state_and_action_has_the_expected_outcome(state, action):
    """All 8 × 6 pairs: the listed transitions lead to their state, every other pair is refused."""
    expected = EXPECTED.get((state, action), "state")
    if isinstance(expected, State):
        after = apply(_before(state), action, actor="3", reason="Leistung nicht erbracht")
        assert after.state is expected
    else:
        with pytest.raises(TransitionRefused) as refused:
            apply(_before(state), action, actor="3", reason="Leistung nicht erbracht")
        assert refused.value.code == expected


def test_table_and_expectation_agree():
    """The machine has exactly the transitions listed above (a new one needs a test)."""
    assert {pair: target for pair, target in EXPECTED.items()} == TRANSITIONS


def test_same_person_cannot_make_both_checks_in_either_order():
    """Four-eyes: whoever made one check is refused for the other (both orders)."""
    factual = apply(Workflow(), Action.APPROVE_FACTUAL, actor="7")
    with pytest.raises(TransitionRefused) as refused:
        apply(factual, Action.APPROVE_ARITHMETIC, actor="7")
    assert refused.value.code == "four_eyes"
    assert str(refused.value) == (
        "Vier-Augen-Prinzip: Sie haben die Rechnung schon sachlich richtig festgestellt; "
        "die rechnerische Richtigkeit muss eine andere Person feststellen."
    )
    arithmetic = apply(Workflow(), Action.APPROVE_ARITHMETIC, actor="7")
    with pytest.raises(TransitionRefused) as refused:
        apply(arithmetic, Action.APPROVE_FACTUAL, actor="7")
    assert refused.value.code == "four_eyes"
    assert str(refused.value) == (
        "Vier-Augen-Prinzip: Sie haben die Rechnung schon rechnerisch richtig festgestellt; "
        "die sachliche Richtigkeit muss eine andere Person feststellen."
    )


def test_two_people_approve_then_payment_is_ordered_exported_and_paid():
    """The happy path records who made each check and who ordered."""
    wf = apply(Workflow(), Action.APPROVE_FACTUAL, actor="1")
    wf = apply(wf, Action.APPROVE_ARITHMETIC, actor="2")
    wf = apply(wf, Action.ORDER_PAYMENT, actor="1")
    assert (wf.state, wf.factual_by, wf.arithmetic_by, wf.ordered_by) == (
        State.PAYMENT_ORDERED,
        "1",
        "2",
        "1",
    )
    wf = apply(apply(wf, Action.EXPORT, actor="system"), Action.MARK_PAID, actor="system")
    assert wf.state is State.PAID


def test_second_identical_approval_is_refused_as_state():
    """A double click approving twice: the second is refused, nothing changes."""
    wf = apply(Workflow(), Action.APPROVE_FACTUAL, actor="1")
    with pytest.raises(TransitionRefused) as refused:
        apply(wf, Action.APPROVE_FACTUAL, actor="2")
    assert refused.value.code == "state"
    assert wf.factual_by == "1"


@pytest.mark.parametrize("reason", ["", "   "])
def test_decline_needs_a_reason(reason):
    """Declining without a reason (empty or blanks tried) is refused."""
    with pytest.raises(TransitionRefused) as refused:
        apply(Workflow(), Action.DECLINE, actor="1", reason=reason)
    assert refused.value.code == "reason_missing"


def test_decline_keeps_the_reason_and_actor():
    wf = apply(Workflow(), Action.DECLINE, actor="4", reason="  Bestellung fehlt ")
    assert (wf.state, wf.declined_by, wf.decline_reason) == (State.DECLINED, "4", "Bestellung fehlt")


def test_anonymous_actor_is_refused():
    """An empty actor id was tried."""
    with pytest.raises(TransitionRefused) as refused:
        apply(Workflow(), Action.APPROVE_FACTUAL, actor="")
    assert refused.value.code == "actor_missing"


def test_allowed_actions_lists_the_outgoing_transitions():
    assert set(allowed_actions(State.ACCEPTED)) == {
        Action.APPROVE_FACTUAL,
        Action.APPROVE_ARITHMETIC,
        Action.DECLINE,
    }
    assert allowed_actions(State.PAID) == []
    assert allowed_actions(State.DECLINED) == []
