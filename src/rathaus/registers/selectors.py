"""Reads of the registers.

Public: ``PersonOverview`` (and its parts), ``own_person_overview`` (a citizen reading their
own data), ``person_for_login`` (a citizen's login matched to their own register entry),
``person_search`` (the demo identity provider's resident picker and the admin search),
``household_of`` and, for the citizen's consents and Datenschutzcockpit, ``catalogue``,
``consents_of``, ``consent_offers``, ``exchanges_of``, ``cockpit_export`` and the proactive
offers ``offers_of`` (from
``rathaus.registers.cockpit``). Other apps use only these. Staff and other authorities read a
person's register data only through ``services.exchange_request`` (decision 0105); the
import-linter contract on ``rathaus.registers.models`` keeps other modules off the tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from rathaus.domain.registers.names import name_key, prefix_upper_bound
from rathaus.kernel import audit

from .models import (
    Address,
    IncomeNotification,
    PensionNotification,
    Person,
)


class PersonNotFound(LookupError):
    """No person with that id is in the register."""


@dataclass(frozen=True)
class PersonRef:
    """Another person named in an overview (spouse, child, household member)."""

    register_number: str
    name: str
    date_of_birth: date
    date_of_death: date | None = None


@dataclass(frozen=True)
class IncomeLine:
    year: int
    employer: str
    gross_wage: Decimal
    wage_tax: Decimal


@dataclass(frozen=True)
class PensionLine:
    year: int
    pension_fund: str
    start_date: date
    annual_gross: Decimal


@dataclass(frozen=True)
class PersonOverview:
    """What the registers hold about one person, for display ("Mein Konto") or a clerk."""

    register_number: str
    name: str
    given_names: str
    family_name: str
    birth_name: str
    date_of_birth: date
    place_of_birth: str
    sex: str
    nationality: str
    address_line: str
    marital_status: str
    date_of_death: date | None
    tax_id: str
    household_members: tuple[PersonRef, ...]
    spouse: PersonRef | None
    children: tuple[PersonRef, ...]
    income_notifications: tuple[IncomeLine, ...]
    pension_notifications: tuple[PensionLine, ...]


def _ref(person: Person) -> PersonRef:
    return PersonRef(
        register_number=person.register_number,
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        date_of_death=person.date_of_death,
    )


def household_of(*, person: Person) -> list[Person]:
    """The living people registered in ``person``'s household, ``person`` included, eldest first."""
    if person.household_id is None:
        return [person]
    return list(
        Person.objects.filter(household_id=person.household_id, date_of_death__isnull=True).order_by(
            "date_of_birth", "register_number"
        )
    )


# The overview's three reads as plain SQL: the page is read on every visit of "Mein Konto", and
# building these queries with the ORM cost ten times more than running them (docs/decisions/0015).
# Every part is an indexed lookup, so each reads a handful of rows however large the register is.
# The person (``me``) and the people their overview names: the living members of their household,
# their current spouse (the latest marriage not ended; ``is_spouse``) and their children
# (``is_child``), in the order of the birth records. The ids are gathered first (a UNION of index
# lookups; an OR of IN-subqueries made PostgreSQL scan the whole table), then joined.
_PEOPLE_SQL = """
WITH named (id) AS (
    SELECT me.id FROM registers_person me WHERE me.id = %(me)s
    UNION
    SELECT h.id FROM registers_person h
    WHERE h.household_id = (SELECT me.household_id FROM registers_person me WHERE me.id = %(me)s)
      AND h.date_of_death IS NULL
    UNION
    SELECT m.spouse_b_id FROM registers_marriagerecord m WHERE m.spouse_a_id = %(me)s AND m.ended_on IS NULL
    UNION
    SELECT m.spouse_a_id FROM registers_marriagerecord m WHERE m.spouse_b_id = %(me)s AND m.ended_on IS NULL
    UNION
    SELECT c.child_id FROM registers_birthrecord c WHERE c.mother_id = %(me)s OR c.father_id = %(me)s
)
SELECT p.*,
       a.street AS address_street, a.house_number AS address_house_number,
       a.postal_code AS address_postal_code, a.district AS address_district, a.city AS address_city,
       (p.id = (SELECT CASE WHEN m.spouse_a_id = %(me)s THEN m.spouse_b_id ELSE m.spouse_a_id END
                FROM registers_marriagerecord m
                WHERE m.ended_on IS NULL AND (m.spouse_a_id = %(me)s OR m.spouse_b_id = %(me)s)
                ORDER BY m.date DESC LIMIT 1)) AS is_spouse,
       (b.mother_id = %(me)s OR b.father_id = %(me)s) AS is_child
FROM named
JOIN registers_person p ON p.id = named.id
LEFT OUTER JOIN registers_address a ON a.id = p.address_id
LEFT OUTER JOIN registers_birthrecord b ON b.child_id = p.id
ORDER BY b.date, p.register_number
"""
_INCOMES_SQL = """
SELECT n.*, e.name AS employer_name
FROM registers_incomenotification n JOIN registers_employer e ON e.id = n.employer_id
WHERE n.person_id = %(me)s ORDER BY n.year DESC, n.id
"""
_PENSIONS_SQL = """
SELECT n.* FROM registers_pensionnotification n WHERE n.person_id = %(me)s ORDER BY n.year DESC, n.id
"""


def _column(row: models.Model, name: str) -> Any:
    """A column a raw query selected beyond the model's fields."""
    return row.__dict__[name]


def _address(person: Person) -> Address | None:
    if person.address_id is None:
        return None
    fields = ("street", "house_number", "postal_code", "district", "city")
    return Address(id=person.address_id, **{f: _column(person, f"address_{f}") for f in fields})


def person_overview(*, person_id: int) -> PersonOverview:
    """Everything the registers hold about the person. Inside the registers app only: the
    exchange service builds its minimised answers on it and ``own_person_overview`` shows a
    citizen their own data; other apps use those two doors. Three queries: the people the
    overview names, the income and the pension notifications."""
    params = {"me": person_id}
    people = list(Person.objects.raw(_PEOPLE_SQL, params))
    person = next((p for p in people if p.pk == person_id), None)
    if person is None:
        raise PersonNotFound(f"Keine Person mit der Kennung {person_id} im Register.")
    address = _address(person)
    members = sorted(
        (
            p
            for p in people
            if p.pk != person_id
            and person.household_id is not None
            and p.household_id == person.household_id
            and p.date_of_death is None
        ),
        key=lambda p: (p.date_of_birth, p.register_number),
    )
    spouse = next((p for p in people if _column(p, "is_spouse")), None)
    children = [p for p in people if _column(p, "is_child")]
    incomes = tuple(
        IncomeLine(
            year=n.year, employer=_column(n, "employer_name"), gross_wage=n.gross_wage, wage_tax=n.wage_tax
        )
        for n in IncomeNotification.objects.raw(_INCOMES_SQL, params)
    )
    pensions = tuple(
        PensionLine(
            year=n.year, pension_fund=n.pension_fund, start_date=n.start_date, annual_gross=n.annual_gross
        )
        for n in PensionNotification.objects.raw(_PENSIONS_SQL, params)
    )
    return PersonOverview(
        register_number=person.register_number,
        name=person.full_name,
        given_names=person.given_names,
        family_name=person.family_name,
        birth_name=person.birth_name,
        date_of_birth=person.date_of_birth,
        place_of_birth=person.place_of_birth,
        sex=person.get_sex_display(),
        nationality=person.nationality,
        address_line=str(address) if address else "",
        marital_status=person.get_marital_status_display(),
        date_of_death=person.date_of_death,
        tax_id=person.tax_id or "",
        household_members=tuple(_ref(p) for p in members),
        spouse=_ref(spouse) if spouse else None,
        children=tuple(_ref(c) for c in children),
        income_notifications=incomes,
        pension_notifications=pensions,
    )


def own_person_overview(*, person_id: int) -> PersonOverview:
    """The citizen's OWN register data for "Mein Konto": ``person_id`` must be the logged-in
    citizen's own register person (``request.user.person_id``), never an id from the request.

    Not audited: a data subject reading their own data is not a disclosure (Art. 15 DSGVO).
    Staff and other authorities never read a person through this: they ask through the exchange
    service (``services.exchange_request``), which checks the basis, minimises and logs.
    """
    return person_overview(person_id=person_id)


# The personal data an overview exposes; logged with every read by the register office's staff.
OVERVIEW_FIELDS: tuple[str, ...] = (
    "name", "birth_name", "date_of_birth", "place_of_birth", "sex", "nationality", "address",
    "marital_status", "date_of_death", "tax_id", "household_members", "spouse", "children",
    "income_notifications", "pension_notifications",
)  # fmt: skip


def register_entry_read(
    *, person_id: int, reader: audit.ActorLike, purpose: str, legal_basis: str
) -> PersonOverview:
    """An entry of the register for the staff of the office that keeps it (moves, deaths,
    corrections on ``/register/``): the register office maintaining its own register, not a
    disclosure to another office (that goes through ``services.exchange_request``).

    The read is written to the audit log with its purpose and legal basis before any data is
    returned (§ 40 BMG, Art. 5 Abs. 1 Buchst. b DSGVO); without a purpose nothing is read.
    """
    if not purpose or not purpose.strip():
        raise ValueError("Ein Zweck ist erforderlich, um personenbezogene Daten zu lesen.")
    if not legal_basis or not legal_basis.strip():
        raise ValueError("Eine Rechtsgrundlage ist erforderlich, um personenbezogene Daten zu lesen.")
    with transaction.atomic():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise PersonNotFound(f"Keine Person mit der Kennung {person_id} im Register.")
        audit.record_read(
            actor=reader, subject=person, purpose=purpose, legal_basis=legal_basis, fields=OVERVIEW_FIELDS
        )
        return person_overview(person_id=person.pk)


_REGISTER_NUMBER = re.compile(r"^\s*(HB\d{1,9})\s*$", re.IGNORECASE)


def _by_key_prefix(prefix: str, limit: int) -> list[Person]:
    # A range on the indexed key (not LIKE): a B-tree range scan on SQLite and PostgreSQL
    # alike, whatever the collation; the startswith filter only trims that range.
    return list(
        Person.objects.select_related("address")
        .filter(
            name_key__gte=prefix,
            name_key__lt=prefix_upper_bound(prefix),
            name_key__startswith=prefix,
            date_of_death__isnull=True,
        )
        .order_by("name_key", "register_number")[:limit]
    )


def person_for_login(*, register_number: str) -> Person | None:
    """The living register person with exactly this register number, to link a citizen's login
    to their own register entry (the identity provider attested the number for the person who
    logs in). Not a read about a third person: it returns the entry only, no register data, and
    the account then shows the person their own data through ``own_person_overview``."""
    number = (register_number or "").strip()
    if not number:
        return None
    return Person.objects.filter(register_number=number, date_of_death__isnull=True).first()


def demo_taxpayers(*, limit: int) -> list[Person]:
    """Living residents with a pension or income notification, pensioners first, by register
    number: whom the tax office's demo data gives a tax return (``taxoffice.demo``). Returns the
    entries only, no register data."""
    living = Person.objects.filter(date_of_death__isnull=True).order_by("register_number")
    pensioners = list(living.filter(pk__in=PensionNotification.objects.values("person_id"))[:limit])
    earners = living.filter(pk__in=IncomeNotification.objects.values("person_id")).exclude(
        pk__in=[p.pk for p in pensioners]
    )
    return pensioners + list(earners[: max(0, limit - len(pensioners))])


def person_search(*, query: str, limit: int = 20) -> list[Person]:
    """Living residents whose register number or name starts with ``query``: for the demo
    identity provider's resident picker (demo deployments only, never with real residents) and
    the registers' admin search (register office staff). Not a door for other apps to read
    register data: it returns the entries, and their data is read through the exchange service.

    Names match family name first ("Müller", "Müller, Anna", "Mueller an") or given names
    then family name ("Anna Müller"); case, accents and umlaut spelling are ignored.
    Every lookup is a prefix range on an index, so it stays fast with millions of rows.
    """
    limit = max(1, min(limit, 100))
    text = query.strip()[:200]
    number = _REGISTER_NUMBER.match(text)
    if number:
        prefix = number.group(1).upper()
        return list(
            Person.objects.select_related("address")
            .filter(register_number__gte=prefix, register_number__lt=prefix_upper_bound(prefix))
            .filter(date_of_death__isnull=True)
            .order_by("register_number")[:limit]
        )
    if "," in text:
        family, _comma, given = text.partition(",")
        key = f"{name_key(family)} {name_key(given)}".strip()
        return _by_key_prefix(key, limit) if key else []
    key = name_key(text)
    if not key:
        return []
    found = _by_key_prefix(key, limit)
    words = key.split(" ")
    if len(found) < limit and len(words) > 1:
        # "Anna Müller": the last word as family name, the others as given names.
        swapped = " ".join([words[-1], *words[:-1]])
        seen = {p.pk for p in found}
        found += [p for p in _by_key_prefix(swapped, limit) if p.pk not in seen][: limit - len(found)]
    return found


# The consents and the Datenschutzcockpit (kept in their own module, re-exported here).
from .cockpit import (  # noqa: E402
    CATEGORY_LABELS,
    ConsentLine,
    ConsentOffer,
    ExchangeLine,
    OfferLine,
    catalogue,
    cockpit_export,
    consent_offers,
    consents_of,
    exchanges_of,
    offers_of,
)

__all__ = [
    "CATEGORY_LABELS",
    "ConsentLine",
    "ConsentOffer",
    "ExchangeLine",
    "IncomeLine",
    "OfferLine",
    "PensionLine",
    "PersonNotFound",
    "PersonOverview",
    "PersonRef",
    "catalogue",
    "cockpit_export",
    "consent_offers",
    "consents_of",
    "exchanges_of",
    "household_of",
    "offers_of",
    "own_person_overview",
    "person_for_login",
    "register_entry_read",
    "person_search",
]


def corrections_awaiting_count(user: Any) -> int | None:
    """How many corrections in ``user``'s register offices await a second person (for the staff
    start page); None when ``user`` works in no office that keeps a register."""
    from .history import corrections_pending, kept_registers

    kept = kept_registers(user)
    if not kept.offices:
        return None
    return sum(1 for c in corrections_pending(office_ids=kept.office_ids) if c.proposed_by_id != user.pk)
