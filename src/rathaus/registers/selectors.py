"""Reads of the registers.

Public: ``PersonOverview`` (and its parts), ``person_overview`` (a citizen reading their
own data), ``person_read`` (staff or another authority: audit-logged with purpose and
legal basis), ``person_search`` (the demo identity provider's resident picker) and
``household_of``. Other apps use only these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from rathaus.domain.registers.names import name_key, prefix_upper_bound
from rathaus.kernel import audit

from .models import BirthRecord, IncomeNotification, MarriageRecord, PensionNotification, Person


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


# The personal data an overview exposes; logged with every staff read.
OVERVIEW_FIELDS: tuple[str, ...] = (
    "name",
    "birth_name",
    "date_of_birth",
    "place_of_birth",
    "sex",
    "nationality",
    "address",
    "marital_status",
    "date_of_death",
    "tax_id",
    "household_members",
    "spouse",
    "children",
    "income_notifications",
    "pension_notifications",
)


def _ref(person: Person) -> PersonRef:
    return PersonRef(
        register_number=person.register_number,
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        date_of_death=person.date_of_death,
    )


def _current_spouse(person: Person) -> Person | None:
    marriage = (
        MarriageRecord.objects.select_related("spouse_a", "spouse_b")
        .filter(Q(spouse_a=person) | Q(spouse_b=person), ended_on__isnull=True)
        .order_by("-date")
        .first()
    )
    if marriage is None:
        return None
    return marriage.spouse_b if marriage.spouse_a_id == person.pk else marriage.spouse_a


def household_of(*, person: Person) -> list[Person]:
    """The living people registered in ``person``'s household, ``person`` included, eldest first."""
    if person.household_id is None:
        return [person]
    return list(
        Person.objects.filter(household_id=person.household_id, date_of_death__isnull=True).order_by(
            "date_of_birth", "register_number"
        )
    )


def person_overview(*, person: Person) -> PersonOverview:
    """Everything the registers hold about ``person``, for the person themself (not audited:
    a data subject reading their own data is not a disclosure, Art. 15 DSGVO)."""
    address = person.address
    members = [p for p in household_of(person=person) if p.pk != person.pk]
    spouse = _current_spouse(person)
    children = [
        record.child
        for record in BirthRecord.objects.select_related("child")
        .filter(Q(mother=person) | Q(father=person))
        .order_by("date", "child__register_number")
    ]
    incomes = tuple(
        IncomeLine(year=n.year, employer=n.employer.name, gross_wage=n.gross_wage, wage_tax=n.wage_tax)
        for n in IncomeNotification.objects.select_related("employer")
        .filter(person=person)
        .order_by("-year", "id")
    )
    pensions = tuple(
        PensionLine(
            year=n.year, pension_fund=n.pension_fund, start_date=n.start_date, annual_gross=n.annual_gross
        )
        for n in PensionNotification.objects.filter(person=person).order_by("-year", "id")
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


def person_read(*, person_id: int, reader: audit.ActorLike, purpose: str, legal_basis: str) -> PersonOverview:
    """The overview of a person for a member of staff or another authority.

    The read is written to the audit log with its purpose and legal basis before any data
    is returned (Art. 5 Abs. 1 lit. b, Art. 6 DSGVO; § 40 BMG requires logging of
    disclosures from the residents' register); without a purpose nothing is read.
    """
    if not purpose or not purpose.strip():
        raise ValueError("Ein Zweck ist erforderlich, um personenbezogene Daten zu lesen.")
    if not legal_basis or not legal_basis.strip():
        raise ValueError("Eine Rechtsgrundlage ist erforderlich, um personenbezogene Daten zu lesen.")
    with transaction.atomic():
        person = Person.objects.select_related("address").filter(pk=person_id).first()
        if person is None:
            raise PersonNotFound(f"Keine Person mit der Kennung {person_id} im Register.")
        audit.record_read(
            actor=reader, subject=person, purpose=purpose, legal_basis=legal_basis, fields=OVERVIEW_FIELDS
        )
        return person_overview(person=person)


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


def person_search(*, query: str, limit: int = 20) -> list[Person]:
    """Living residents whose register number or name starts with ``query``.

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
