"""An office's planning from a plan file (``rathaus appointments plan --file``): the file's parts
replace the stored ones through the planning services, so every change is audited as in the
admin, and a file that matches the stored plan writes (and records) nothing.

The file itself is read and checked by ``domain.appointments.planfile``; what differs is
``domain.appointments.planchanges``. Here the office and the LeiKa keys are checked against the
database, and the changes are written in one transaction (all or nothing); the caller tops up
the units afterwards (``slots_generate``).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.db import transaction
from django.utils import timezone

from rathaus.directory.types import Office, Service
from rathaus.domain.appointments import planchanges, planfile
from rathaus.kernel.exceptions import InvalidInput

from .. import selectors
from ..models import Counter, OfferedService, OfficePlan, OpeningException
from ._common import By
from .planning import (
    counter_ensure,
    offer_upsert,
    opening_exception_add,
    opening_hours_set,
    plan_upsert,
    planning_row_delete,
    planning_row_save,
)


class PlanRefused(InvalidInput):
    """A plan file that does not fit the database; ``path`` names the field (as in ``PlanFileError``)."""

    def __init__(self, message: str, *, path: tuple[str | int, ...]) -> None:
        super().__init__(message, code="plan_refused")
        self.path = path


def _services(office: Office, wanted: planfile.PlanFile) -> dict[str, Service]:
    """The directory's services the file offers, by LeiKa key; ``PlanRefused`` for an unknown one."""
    if wanted.office is not None and wanted.office != office.slug:
        raise PlanRefused(
            f"Die Datei gilt für die Dienststelle „{wanted.office}“, nicht für „{office.slug}“.",
            path=("office",),
        )
    offers = wanted.offers or ()
    found = selectors.services_by_leika_keys(o.leika for o in offers)
    for number, offer in enumerate(offers, 1):
        if offer.leika not in found:
            raise PlanRefused(
                f"Eine Leistung mit dem LeiKa-Schlüssel {offer.leika} gibt es im Verzeichnis nicht.",
                path=("services", number, "leika"),
            )
    return found


def _set_counter(office: Office, name: str, *, active: bool, by: By) -> None:
    counter = (
        counter_ensure(office=office, name=name, by=by)
        if active
        else Counter.objects.get(office=office, name=name)
    )
    if counter.active != active:
        counter.active = active
        planning_row_save(row=counter, by=by)


def _write(office: Office, found: planchanges.PlanChanges, services: dict[str, Service], by: By) -> None:
    if found.new_plan or found.settings:
        plan_upsert(office=office, by=by, **found.settings)
    for name in found.counters_on:
        _set_counter(office, name, active=True, by=by)
    for name in found.counters_off:
        _set_counter(office, name, active=False, by=by)
    if found.hours is not None:
        hours = [(w.weekday, w.interval.opens, w.interval.closes) for w in found.hours]
        opening_hours_set(office=office, hours=hours, by=by)
    for day in found.exceptions_drop:
        for row in OpeningException.objects.filter(office=office, day=day):
            planning_row_delete(row=row, by=by)
    for exception in found.exceptions_add:
        for interval in exception.intervals or (None,):
            opening_exception_add(
                office=office,
                day=exception.day,
                reason=exception.reason,
                opens=interval.opens if interval else None,
                closes=interval.closes if interval else None,
                by=by,
            )
    for offer in found.offers_set:
        offer_upsert(
            office=office,
            service=services[offer.leika],
            duration_minutes=offer.duration_minutes,
            buffer_minutes=offer.buffer_minutes,
            by=by,
        )
    for stored in OfferedService.objects.filter(office=office, service__leika_key__in=found.offers_off):
        offer_upsert(
            office=office,
            service=stored.service,
            duration_minutes=stored.duration_minutes,
            buffer_minutes=stored.buffer_minutes,
            active=False,
            by=by,
        )


def plan_apply(
    *,
    office: Office,
    wanted: planfile.PlanFile,
    by: By,
    dry_run: bool = False,
    today: datetime.date | None = None,
) -> planchanges.PlanChanges:
    """Make the office's planning what the file says (each part it holds; the rest stays) and
    return what changed; with ``dry_run`` only what would change. Offers and counters the file no
    longer lists are switched off, not deleted (bookings hang on them); day exceptions before
    ``today`` are left alone. ``PlanRefused`` for a file of another office or an unknown LeiKa key."""
    today = today or timezone.localdate()
    services = _services(office, wanted)
    if wanted.offers is not None:
        # Named as the directory names them, in what the run reports.
        named = tuple(dataclasses.replace(o, name=services[o.leika].name) for o in wanted.offers)
        wanted = dataclasses.replace(wanted, offers=named)
    with transaction.atomic():
        if not dry_run:
            # Two runs for one office at once: the second sees the first's result.
            OfficePlan.objects.select_for_update().filter(office=office).first()
        found = planchanges.changes(selectors.plan_document(office, today=today), wanted, today=today)
        if found and not dry_run:
            _write(office, found, services, by)
    return found
