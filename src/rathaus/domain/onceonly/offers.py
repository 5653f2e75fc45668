"""Proactive offers: which register event leads to which offer, for whom.

A register event (a birth, a 67th birthday, a move into the city, a marriage, a death) tells the
city that someone is probably entitled to something they have not asked for yet. Each ``Rule``
subscribes to one event kind and names who gets the offer (the person of the event, the parents
of a newborn, the spouses), the responsible office (by directory slug) and the law it rests on.
The rules are data a reviewer can check against the cited paragraphs; ``offers_due`` applies
them to the facts of one event. Pure Python: dates come in, nothing is read or written.

Ages follow § 187 Abs. 2 Satz 2 and § 188 Abs. 2 BGB: a year of life is completed at the end of
the day before the birthday, so a person "turns 67" on their 67th birthday; someone born on
29 February completes it at the end of 28 February in a common year (§ 188 Abs. 3 BGB) and is
67 from 1 March.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "RULES",
    "EventFacts",
    "EventKind",
    "WITHDRAWALS",
    "OfferDue",
    "Recipients",
    "Rule",
    "Withdrawal",
    "birth_dates_turning",
    "offers_due",
    "offers_withdrawn",
    "rule_by_id",
]

RETIREMENT_AGE = 67  # Regelaltersgrenze, § 35 Satz 2 SGB VI


class EventKind(StrEnum):
    BIRTH_REGISTERED = "birth_registered"
    TURNED_67 = "turned_67"
    MOVED_IN = "moved_in"
    MARRIED = "married"
    DIED = "died"


class Recipients(StrEnum):
    """Who of the event's people an offer goes to."""

    SUBJECT = "subject"  # the person the event is about
    PARENTS = "parents"  # the parents of a newborn
    SPOUSES = "spouses"  # both spouses of a marriage


@dataclass(frozen=True)
class Rule:
    """One subscription of an offer to an event kind (German texts: they reach the citizen)."""

    id: str
    event: EventKind
    recipients: Recipients
    title: str
    text: str
    citation: str
    office: str  # directory slug of the office that decides
    case_subject: str


@dataclass(frozen=True)
class EventFacts:
    """What the registers know about one event: its kind and day, whom it is about, the people
    related to it, and who of them has died (the dead get no offers)."""

    kind: EventKind
    occurred_on: datetime.date
    subject: int
    parents: tuple[int, ...] = ()
    spouses: tuple[int, ...] = ()
    deceased: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OfferDue:
    rule: Rule
    person_id: int


RULES: tuple[Rule, ...] = (
    Rule(
        id="kindergeld",
        event=EventKind.BIRTH_REGISTERED,
        recipients=Recipients.PARENTS,
        title="Kindergeld",
        text=(
            "Für Ihr neugeborenes Kind steht Ihnen wahrscheinlich Kindergeld zu. Die Familienkasse "
            "zahlt es auf Antrag; mit Ihrer Annahme wird der Antrag gestellt."
        ),
        citation="§§ 62, 63, 67 EStG",
        office="familienkasse",
        case_subject="Kindergeld (proaktives Angebot)",
    ),
    Rule(
        id="elterngeld",
        event=EventKind.BIRTH_REGISTERED,
        recipients=Recipients.PARENTS,
        title="Elterngeld",
        text=(
            "Wenn Sie Ihr Kind selbst betreuen und nicht oder wenig arbeiten, steht Ihnen "
            "wahrscheinlich Elterngeld zu. Rückwirkend wird es nur für die letzten drei Monate vor "
            "dem Antrag gezahlt."
        ),
        citation="§§ 1, 4, 7 BEEG",
        office="amt-versorgung-integration",
        case_subject="Elterngeld (proaktives Angebot)",
    ),
    Rule(
        id="rentner-veranlagung",
        event=EventKind.TURNED_67,
        recipients=Recipients.SUBJECT,
        title="Vereinfachte Einkommensteuer-Veranlagung für Rentnerinnen und Rentner",
        text=(
            "Sie erreichen die Regelaltersgrenze. Das Finanzamt kennt Ihre Rente aus der "
            "Rentenbezugsmitteilung und kann Ihre Einkommensteuer ohne ausgefüllte Erklärung "
            "veranlagen; Sie prüfen nur noch den Vorschlag."
        ),
        citation="§ 22a EStG, § 150 Abs. 7 AO i. V. m. § 93c AO",
        office="finanzamt-bremen",
        case_subject="Einkommensteuer-Veranlagung für Rentner (proaktives Angebot)",
    ),
    Rule(
        id="bewohnerparkausweis",
        event=EventKind.MOVED_IN,
        recipients=Recipients.SUBJECT,
        title="Bewohnerparkausweis",
        text=(
            "Sie haben eine neue Wohnung in Bremen angemeldet. Liegt sie in einer Bewohnerparkzone, "
            "können Sie einen Bewohnerparkausweis für Ihr Fahrzeug bekommen."
        ),
        citation="§ 45 Abs. 1b Satz 1 Nr. 2a StVO",
        office="amt-strassen-verkehr",
        case_subject="Bewohnerparkausweis (proaktives Angebot)",
    ),
    Rule(
        id="steuerklassenwahl",
        event=EventKind.MARRIED,
        recipients=Recipients.SPOUSES,
        title="Steuerklassenwahl nach der Heirat",
        text=(
            "Nach der Heirat gilt für Sie beide die Steuerklasse IV. Auf Antrag wählen Sie die "
            "Kombination III/V oder IV mit Faktor, wenn sie für Sie günstiger ist."
        ),
        citation="§ 38b Abs. 1 Satz 2 Nr. 4, § 39 Abs. 6 EStG",
        office="finanzamt-bremen",
        case_subject="Steuerklassenwahl (proaktives Angebot)",
    ),
)


@dataclass(frozen=True)
class Withdrawal:
    """An event kind after which the open offers of some of its people are withdrawn: nobody
    can accept an entitlement any more for someone who has died."""

    event: EventKind
    recipients: Recipients
    reason: str  # German: recorded with the withdrawal


WITHDRAWALS: tuple[Withdrawal, ...] = (
    Withdrawal(
        event=EventKind.DIED,
        recipients=Recipients.SUBJECT,
        reason="Die Person ist verstorben; offene Angebote an sie sind zurückgezogen.",
    ),
)

_BY_ID = {rule.id: rule for rule in RULES}
if len(_BY_ID) != len(RULES):  # pragma: no cover - a reviewer's slip, caught at import
    raise ValueError("Two proactive rules share an id")


def rule_by_id(rule_id: str) -> Rule | None:
    return _BY_ID.get(rule_id)


def _recipients(rule: Rule | Withdrawal, facts: EventFacts) -> tuple[int, ...]:
    if rule.recipients is Recipients.PARENTS:
        return facts.parents
    if rule.recipients is Recipients.SPOUSES:
        return facts.spouses
    return (facts.subject,)


def offers_due(facts: EventFacts) -> tuple[OfferDue, ...]:
    """The offers an event leads to: each rule of its kind, for each living recipient, once."""
    due: list[OfferDue] = []
    for rule in RULES:
        if rule.event is not facts.kind:
            continue
        seen: set[int] = set()
        for person_id in _recipients(rule, facts):
            if person_id in facts.deceased or person_id in seen:
                continue
            seen.add(person_id)
            due.append(OfferDue(rule=rule, person_id=person_id))
    return tuple(due)


def offers_withdrawn(facts: EventFacts) -> tuple[tuple[Withdrawal, int], ...]:
    """Whose open offers an event withdraws (a death: the dead person's), with the reason."""
    withdrawn: list[tuple[Withdrawal, int]] = []
    for withdrawal in WITHDRAWALS:
        if withdrawal.event is facts.kind:
            withdrawn.extend((withdrawal, person_id) for person_id in _recipients(withdrawal, facts))
    return tuple(withdrawn)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def birth_dates_turning(age: int, on: datetime.date) -> tuple[datetime.date, ...]:
    """The birth dates of the people who are ``age`` from ``on`` (their first day of that age).

    Usually one date, ``age`` years before. On 1 March of a common year also 29 February of a
    leap year ``age`` years before (§ 188 Abs. 3 BGB); on 29 February none of its own beyond
    the leap-day-born (a day that only exists in leap years).
    """
    if age < 0:
        raise ValueError("age must not be negative")
    year = on.year - age
    dates: list[datetime.date] = []
    if on.month == 2 and on.day == 29:
        if _is_leap(year):
            dates.append(datetime.date(year, 2, 29))
        return tuple(dates)
    dates.append(on.replace(year=year))
    if on.month == 3 and on.day == 1 and not _is_leap(on.year) and _is_leap(year):
        dates.append(datetime.date(year, 2, 29))
    return tuple(dates)
