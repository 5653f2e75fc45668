"""Reads of the online tax office: a citizen's own returns with the expected date of the
assessment, the office's list and a return's page (each staff read audited).

Public surface: the functions here and ``services``; other apps import nothing else.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from rathaus.accounts import selectors as account_selectors
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.kernel import audit
from rathaus.kernel.exceptions import NotFound

from . import workflow
from .models import TaxReturn, TaxReturnEvent

# The expected-date figure: the median processing time (received → first assessment sent) of
# the office's returns assessed in the last WINDOW_DAYS days; with fewer than MIN_SAMPLE of them
# DEFAULT_DAYS stands in (about seven weeks, the order of the published averages of German tax
# offices).
WINDOW_DAYS = 90
MIN_SAMPLE = 5
DEFAULT_DAYS = 50
READ_PURPOSE = "Bearbeitung der Steuererklärung"
READ_BASIS = "§ 29b AO"
OPEN = (TaxReturn.Status.RECEIVED, TaxReturn.Status.IN_PROCESSING, TaxReturn.Status.QUERY)


@dataclass(frozen=True)
class ProcessingTime:
    days: int
    sample: int  # returns the median is taken over (0: the default)
    is_default: bool
    window_days: int = WINDOW_DAYS
    min_sample: int = MIN_SAMPLE


@dataclass(frozen=True)
class ReturnView:
    tax_return: TaxReturn
    expected_on: dt.date | None  # None once an assessment was sent
    overdue: bool


def processing_time(*, office: Office, today: dt.date) -> ProcessingTime:
    """The office's current processing time in days (see ``WINDOW_DAYS``)."""
    rows = TaxReturn.objects.filter(
        office=office, assessed_on__gt=today - dt.timedelta(days=WINDOW_DAYS), assessed_on__lte=today
    ).values_list("received_on", "assessed_on")
    durations = [(assessed - received).days for received, assessed in rows if assessed is not None]
    if len(durations) < MIN_SAMPLE:
        return ProcessingTime(days=DEFAULT_DAYS, sample=len(durations), is_default=True)
    return ProcessingTime(days=round(statistics.median(durations)), sample=len(durations), is_default=False)


def _view(tax_return: TaxReturn, times: dict[int, ProcessingTime], today: dt.date) -> ReturnView:
    if tax_return.status not in OPEN:
        return ReturnView(tax_return=tax_return, expected_on=None, overdue=False)
    expected = tax_return.received_on + dt.timedelta(days=times[tax_return.office_id].days)
    return ReturnView(tax_return=tax_return, expected_on=expected, overdue=expected < today)


def _times(returns: list[TaxReturn], today: dt.date) -> dict[int, ProcessingTime]:
    return {r.office_id: processing_time(office=r.office, today=today) for r in returns}


def returns_of_citizen(*, user: User, today: dt.date) -> tuple[list[ReturnView], dict[int, ProcessingTime]]:
    """The citizen's own returns, newest year first, and the processing times used."""
    if user.person_id is None:
        return [], {}
    returns = list(TaxReturn.objects.filter(person_id=user.person_id).select_related("office"))
    times = _times(returns, today)
    return [_view(r, times, today) for r in returns], times


def return_of_citizen(*, user: User, tax_return_id: int, today: dt.date) -> tuple[ReturnView, ProcessingTime]:
    """One of the citizen's own returns; another's is ``NotFound`` (its existence is not told)."""
    tax_return = None
    if user.person_id is not None:
        tax_return = (
            TaxReturn.objects.select_related("office")
            .filter(pk=tax_return_id, person_id=user.person_id)
            .first()
        )
    if tax_return is None:
        raise NotFound(_("Diese Steuererklärung gibt es nicht."))
    times = _times([tax_return], today)
    return _view(tax_return, times, today), times[tax_return.office_id]


def history(*, tax_return: TaxReturn) -> QuerySet[TaxReturnEvent]:
    return TaxReturnEvent.objects.filter(tax_return=tax_return).select_related("by")


def tax_offices_of(user: User) -> QuerySet[Office]:
    """The tax offices in which ``user`` works (clerk or head of office)."""
    return account_selectors.working_offices(user).filter(kind=Office.Kind.TAX_OFFICE)


def waiting_counts(user: User) -> dict[str, int]:
    """How many returns of ``user``'s tax offices are in each status (counts only: not audited,
    no personal data is read)."""
    rows = TaxReturn.objects.filter(office__in=tax_offices_of(user).values("pk"))
    return {row["status"]: row["n"] for row in rows.values("status").annotate(n=Count("pk"))}


def staff_returns(
    *, user: User, status: str = "", tax_year: int | None = None, query: str = "", limit: int = 200
) -> list[TaxReturn]:
    """The returns of ``user``'s tax offices, filtered; the read is audited."""
    rows = TaxReturn.objects.filter(office__in=tax_offices_of(user).values("pk")).select_related("person")
    if status in TaxReturn.Status.values:
        rows = rows.filter(status=status)
    if tax_year:
        rows = rows.filter(tax_year=tax_year)
    for word in query.split()[:5]:
        rows = rows.filter(person__family_name__icontains=word) | rows.filter(reference__icontains=word)
    found = list(rows.order_by("-updated_at", "-pk")[:limit])
    audit.record(
        actor=user,
        action="taxoffice.returns_listed",
        purpose=READ_PURPOSE,
        legal_basis=READ_BASIS,
        details={"status": status, "tax_year": tax_year, "query": query, "shown": [r.pk for r in found]},
    )
    return found


def staff_return(*, user: User, tax_return_id: int) -> TaxReturn:
    """A return of ``user``'s tax offices (``NotFound`` otherwise); the read is audited."""
    tax_return = (
        TaxReturn.objects.select_related("person", "office")
        .filter(pk=tax_return_id, office__in=tax_offices_of(user).values("pk"))
        .first()
    )
    if tax_return is None:
        audit.record_denied(
            actor=user, target_type="taxoffice.taxreturn", target_id=tax_return_id, reason="not of the office"
        )
        raise NotFound(_("Diese Steuererklärung gibt es nicht oder Sie bearbeiten sie nicht."))
    audit.record_read(
        actor=user,
        subject=tax_return,
        purpose=READ_PURPOSE,
        legal_basis=READ_BASIS,
        fields=["status", "history"],
    )
    return tax_return


def next_statuses(tax_return: TaxReturn) -> list[tuple[str, str]]:
    return [(s, str(TaxReturn.Status(s).label)) for s in workflow.allowed_next(tax_return.status)]
