import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rathaus.domain.onceonly.offers import (
    RULES,
    EventFacts,
    EventKind,
    birth_dates_turning,
    offers_due,
    rule_by_id,
)

D = datetime.date


def _due(facts: EventFacts) -> set[tuple[str, int]]:
    return {(offer.rule.id, offer.person_id) for offer in offers_due(facts)}


def test_a_birth_offers_kindergeld_and_elterngeld_to_each_living_parent():
    facts = EventFacts(kind=EventKind.BIRTH_REGISTERED, occurred_on=D(2026, 5, 1), subject=3, parents=(1, 2))
    assert _due(facts) == {("kindergeld", 1), ("kindergeld", 2), ("elterngeld", 1), ("elterngeld", 2)}


def test_a_deceased_parent_gets_no_offer():
    facts = EventFacts(
        kind=EventKind.BIRTH_REGISTERED,
        occurred_on=D(2026, 5, 1),
        subject=3,
        parents=(1, 2),
        deceased=frozenset({2}),
    )
    assert _due(facts) == {("kindergeld", 1), ("elterngeld", 1)}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (EventKind.TURNED_67, {("rentner-veranlagung", 7)}),  # § 35 SGB VI, § 150 Abs. 7 AO
        (EventKind.MOVED_IN, {("bewohnerparkausweis", 7)}),  # § 45 Abs. 1b StVO
        (EventKind.MARRIED, {("steuerklassenwahl", 7), ("steuerklassenwahl", 8)}),  # § 38b EStG
        (EventKind.DIED, set()),
    ],
)
def test_each_event_kind_leads_to_its_offers(kind, expected):
    facts = EventFacts(kind=kind, occurred_on=D(2026, 5, 1), subject=7, spouses=(7, 8))
    assert _due(facts) == expected


def test_every_rule_cites_its_law_and_names_an_office():
    assert len({rule.id for rule in RULES}) == len(RULES)
    for rule in RULES:
        assert "§" in rule.citation and rule.office and rule.title and rule.text
        assert rule_by_id(rule.id) is rule
    assert rule_by_id("unbekannt") is None


@pytest.mark.parametrize(
    ("on", "born"),
    [
        (D(2026, 3, 10), (D(1959, 3, 10),)),
        (D(2027, 3, 1), (D(1960, 3, 1), D(1960, 2, 29))),  # § 188 Abs. 3 BGB
        (D(2028, 3, 1), (D(1961, 3, 1),)),  # leap year: the leap-day-born turned on 29 February
        (D(2028, 2, 29), ()),  # 1961 had no 29 February
        (D(2031, 2, 29 - 1), (D(1964, 2, 28),)),
    ],
)
def test_birth_dates_turning_67(on, born):
    assert birth_dates_turning(67, on) == born


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(1990, 12, 31)))
def test_everyone_turns_67_on_exactly_one_day(born):
    # given a birth date, when every day of the year of the 67th birthday is checked
    year = born.year + 67
    days = [D(year, 1, 1) + datetime.timedelta(days=n) for n in range(366 if year % 4 == 0 else 365)]
    # then exactly one of them lists it
    assert sum(born in birth_dates_turning(67, day) for day in days) == 1
