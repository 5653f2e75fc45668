"""Reads for the register offices' staff: exchange requests waiting for a clerk's decision and
the exchange statistics per purpose (decision 0105). The views in ``exchange_views`` use them.

The queue lists requests without the person's data; opening one to decide on it is a staff
read of that person's data and is audit-logged with the request's purpose and basis. The
statistics are counts only (no person is named), so reading them is not logged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from rathaus.accounts import selectors as accounts_selectors
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.onceonly.catalogue import FIELDS
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from .cockpit import CATEGORY_LABELS, catalogue
from .models import ExchangeRecord

__all__ = [
    "REGISTER_OFFICE_KINDS",
    "PendingLine",
    "PendingRequest",
    "StatisticsRow",
    "exchange_of_office",
    "exchange_statistics",
    "pending_exchange",
    "pending_exchanges",
    "register_offices_of",
]

# Offices that keep a register: the registry offices (civil status) and the citizens' offices
# (residents' register). Their staff see the statistics.
REGISTER_OFFICE_KINDS = (Office.Kind.REGISTRY_OFFICE, Office.Kind.CITIZENS_OFFICE)


def register_offices_of(user: User) -> list[Office]:
    """The register offices in which ``user`` works on matters."""
    return list(accounts_selectors.working_offices(user).filter(kind__in=REGISTER_OFFICE_KINDS))


@dataclass(frozen=True)
class PendingLine:
    """A waiting request in the queue (no personal data of the person asked about)."""

    id: int
    created_at: datetime.datetime
    requesting_office: str
    deciding_office: str
    purpose: str
    citation: str
    by_consent: bool
    categories: tuple[str, ...]


def _categories(fields: list[str]) -> tuple[str, ...]:
    used = {FIELDS[name] for name in fields if name in FIELDS}
    return tuple(str(label) for key, label in CATEGORY_LABELS.items() if key in used)


def _line(record: ExchangeRecord) -> PendingLine:
    return PendingLine(
        id=record.pk,
        created_at=record.created_at,
        requesting_office=record.requesting_office.name,
        deciding_office=record.deciding_office.name if record.deciding_office else "",
        purpose=record.purpose,
        citation=record.basis_citation,
        by_consent=record.consent_id is not None,
        categories=_categories(record.fields_requested),
    )


def pending_exchanges(*, clerk: User) -> list[PendingLine]:
    """The requests waiting for a decision by an office ``clerk`` works in, oldest first."""
    offices = accounts_selectors.working_offices(clerk).values_list("pk", flat=True)
    rows = (
        ExchangeRecord.objects.filter(
            deciding_office_id__in=list(offices), outcome=ExchangeRecord.Outcome.PENDING
        )
        .select_related("requesting_office", "deciding_office")
        .order_by("created_at", "id")
    )
    return [_line(row) for row in rows]


@dataclass(frozen=True)
class PendingRequest:
    """One waiting request with what the clerk needs to decide: who is asked about, which
    fields, and why the catalogue wants a decision."""

    line: PendingLine
    person_name: str
    register_number: str
    date_of_birth: datetime.date | None
    fields: tuple[str, ...]
    decision_reason: str


def pending_exchange(*, exchange_id: int, clerk: User) -> PendingRequest:
    """The waiting request ``exchange_id`` for ``clerk`` (``NotFound`` if it does not wait for
    an office they work in). Logged as a read of the person's data with the request's purpose."""
    if not 1 <= exchange_id <= 2**63 - 1:  # beyond a database id: nothing to find
        raise NotFound("Diese Datenanfrage wartet nicht auf eine Entscheidung Ihrer Dienststelle.")
    offices = accounts_selectors.working_offices(clerk).values_list("pk", flat=True)
    record = (
        ExchangeRecord.objects.filter(
            pk=exchange_id, deciding_office_id__in=list(offices), outcome=ExchangeRecord.Outcome.PENDING
        )
        .select_related("requesting_office", "deciding_office")
        .first()
    )
    if record is None:
        raise NotFound("Diese Datenanfrage wartet nicht auf eine Entscheidung Ihrer Dienststelle.")
    person = record.person
    if person is not None:
        audit.record_read(
            actor=clerk,
            subject=person,
            purpose=f"Entscheidung über die Datenanfrage Nr. {record.pk}: {record.purpose}",
            legal_basis=record.basis_citation or "Einwilligung",
            fields=("name", "register_number", "date_of_birth"),
        )
    basis = catalogue().get(record.basis_id)
    return PendingRequest(
        line=_line(record),
        person_name=person.full_name if person else record.person_ref,
        register_number=person.register_number if person else record.person_ref,
        date_of_birth=person.date_of_birth if person else None,
        fields=tuple(record.fields_requested),
        decision_reason=basis.decision.reason if basis and basis.decision else "",
    )


def exchange_of_office(*, exchange_id: int, office_id: int) -> ExchangeRecord | None:
    """The exchange ``exchange_id`` if ``office_id`` asked it (the API's status address)."""
    return (
        ExchangeRecord.objects.filter(pk=exchange_id, requesting_office_id=office_id)
        .select_related("person", "deciding_office")
        .first()
    )


@dataclass(frozen=True)
class StatisticsRow:
    basis_id: str
    purpose: str
    citation: str
    answered: int
    refused: int
    pending: int

    @property
    def total(self) -> int:
        return self.answered + self.refused + self.pending


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def exchange_statistics(*, start: datetime.date, end: datetime.date) -> list[StatisticsRow]:
    """Exchange requests from ``start`` to ``end`` (both days included, local time), counted per
    purpose (the catalogue entry asked under) and outcome; most requests first."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        ExchangeRecord.objects.filter(
            created_at__gte=_day_start(start), created_at__lt=_day_start(end + datetime.timedelta(days=1))
        )
        .values("basis_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts.setdefault(row["basis_id"], {})[row["outcome"]] = row["n"]
    result = []
    for basis_id, by_outcome in counts.items():
        basis = catalogue().get(basis_id)
        result.append(
            StatisticsRow(
                basis_id=basis_id,
                purpose=basis.purpose if basis else "",
                citation=basis.citation if basis else "",
                answered=by_outcome.get(ExchangeRecord.Outcome.ANSWERED, 0),
                refused=by_outcome.get(ExchangeRecord.Outcome.REFUSED, 0),
                pending=by_outcome.get(ExchangeRecord.Outcome.PENDING, 0),
            )
        )
    return sorted(result, key=lambda r: (-r.total, r.purpose, r.basis_id))
