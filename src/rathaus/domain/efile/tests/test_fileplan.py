import pytest

from rathaus.domain.efile.fileplan import (
    InvalidFilePlanNumber,
    PlanRules,
    child_number,
    effective_rules,
    parent_number,
    validate_plan_number,
)


@pytest.mark.parametrize(
    ("number", "parent"),
    [("32", None), ("32.10", "32"), ("32.10.05", "32.10"), ("1.2.3.4.5.6", "1.2.3.4.5")],
)
def test_well_formed_numbers_one_level_below_their_parent_are_accepted(number, parent):
    """A number is valid when it extends its parent's number by one part."""
    assert validate_plan_number(number, parent=parent) == number


@pytest.mark.parametrize(
    ("number", "parent", "message"),
    [
        ("32.10", None, "obersten Ebene"),
        ("33.10", "32", "nicht direkt unter"),
        ("32.10.05", "32", "nicht direkt unter"),
        ("32.a", "32", "ungültig"),
        ("", None, "ungültig"),
        ("1.2.3.4.5.6.7", "1.2.3.4.5.6", "ungültig"),
    ],
)
def test_numbers_that_do_not_fit_the_hierarchy_are_refused(number, parent, message):
    """The message says what is wrong, in German."""
    with pytest.raises(InvalidFilePlanNumber, match=message):
        validate_plan_number(number, parent=parent)


@pytest.mark.parametrize(("number", "parent"), [("32", None), ("32.10", "32"), ("32.10.05", "32.10")])
def test_parent_number_strips_the_last_part(number, parent):
    """The top level has no parent."""
    assert parent_number(number) == parent


def test_child_number_pads_the_position_to_two_digits():
    """Position 5 under 32.10 is 32.10.05."""
    assert child_number("32.10", 5) == "32.10.05"


@pytest.mark.parametrize(
    ("chain", "expected"),
    [
        ([(10, True)], PlanRules(10, True)),
        ([(10, True), (None, None)], PlanRules(10, True)),
        ([(10, True), (5, None)], PlanRules(5, True)),
        ([(30, None), (None, False), (6, None)], PlanRules(6, False)),
        ([(30, True), (None, None), (None, None)], PlanRules(30, True)),
        ([(10, None)], PlanRules(10, None)),
    ],
)
def test_nearest_entry_setting_a_rule_wins(chain, expected):
    """Entries inherit retention and archive-worthiness from their ancestors unless they set their own."""
    assert effective_rules(chain) == expected


def test_a_chain_without_any_retention_period_is_an_error():
    """Every file needs a retention period."""
    with pytest.raises(InvalidFilePlanNumber, match="keine Aufbewahrungsfrist"):
        effective_rules([(None, True), (None, None)])
