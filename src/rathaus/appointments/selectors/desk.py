"""Reads of booked appointments: the citizen's own, the office's day list and queue, the call
display and the statistics."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from rathaus.accounts.selectors import working_offices
from rathaus.accounts.types import User
from rathaus.directory.types import Office
from rathaus.domain.appointments import stats

from ..models import Appointment, Counter, Slot
from ._common import day_start

# "Mein Konto" asks on every visit, and most citizens have no appointment: one plain statement
# (built with the ORM it cost ten times its run time) with the office's name and street; the
# services only for the rows found.
_CITIZEN_SQL = """
SELECT a.*, o.name AS office_name, o.street_address AS office_street_address
FROM appointments_appointment a JOIN directory_office o ON o.id = a.office_id
WHERE a.user_id = %(user)s AND a.kind = %(kind)s AND a.status IN (%(confirmed)s, %(checked_in)s, %(called)s)
  AND a."end" >= %(since)s
ORDER BY a.start, a.id
"""


def citizen_appointments(*, user: User, now: datetime.datetime | None = None) -> list[Appointment]:
    """The citizen's booked appointments that are still ahead (or under way today), soonest first,
    with their services and office (its name and street read along; other fields on access)."""
    since = day_start(timezone.localdate(now or timezone.now()))
    params = {
        "user": user.pk,
        "kind": Appointment.Kind.ONLINE.value,
        "confirmed": Appointment.Status.CONFIRMED.value,
        "checked_in": Appointment.Status.CHECKED_IN.value,
        "called": Appointment.Status.CALLED.value,
        "since": connection.ops.adapt_datetimefield_value(since),
    }
    found = list(Appointment.objects.raw(_CITIZEN_SQL, params))
    for appointment in found:
        extra = appointment.__dict__
        values = [appointment.office_id, extra.pop("office_name"), extra.pop("office_street_address")]
        appointment.office = Office.from_db(connection.alias, ["id", "name", "street_address"], values)
    if found:
        prefetch_related_objects(found, "services")
    return found


def appointments_of_user(*, user: User) -> QuerySet[Appointment]:
    """All of the user's appointments, past ones too, newest first: their Art. 15 DSGVO copy."""
    return (
        Appointment.objects.filter(user=user)
        .select_related("office")
        .prefetch_related("services")
        .order_by("-start", "-id")
    )


def appointment_for_mail(appointment_id: int) -> Appointment | None:
    """The appointment with its office and services (what an e-mail about it shows), or None."""
    return (
        Appointment.objects.select_related("office")
        .prefetch_related("services")
        .filter(pk=appointment_id)
        .first()
    )


def staff_offices(user: User) -> list[Office]:
    """Offices where ``user`` works on matters (``accounts.selectors.WORKING_ROLES``) and online
    appointments are planned. An office's administrators manage logins; they do not read the
    day list with names and booking codes."""
    return list(working_offices(user).filter(appointment_plan__isnull=False).order_by("name"))


def active_counters(office: Office) -> list[Counter]:
    """The office's counters in use, by name."""
    return list(Counter.objects.filter(office=office, active=True))


def day_list(*, office: Office, day: datetime.date) -> dict[Counter | None, list[Appointment]]:
    """The day's appointments and walk-ins per counter (walk-ins not yet called: under None).

    Staff pages read it through ``services.day_list_read``, which records the read."""
    start = day_start(day)
    end = start + datetime.timedelta(days=1)
    items = (
        Appointment.objects.filter(office=office)
        .filter(
            Q(start__gte=start, start__lt=end)
            | Q(kind=Appointment.Kind.WALK_IN, created_at__gte=start, created_at__lt=end)
        )
        .exclude(status__in=[Appointment.Status.RESERVED, Appointment.Status.LAPSED])
        .select_related("counter")
        .prefetch_related("services")
        .order_by("start", "created_at")
    )
    grouped: dict[Counter | None, list[Appointment]] = defaultdict(list)
    for item in items:
        grouped[item.counter].append(item)
    return dict(grouped)


def day_list_in_order(lists: dict[Counter | None, list[Appointment]]) -> list[Appointment]:
    """The entries of a day list (``day_list``) in one list: booked times first, by time, then
    walk-ins by arrival."""
    items = [item for entries in lists.values() for item in entries]
    return sorted(items, key=lambda a: (a.start is None, a.start or a.created_at, a.pk))


def _queue_key(item: Appointment) -> tuple[datetime.datetime, int]:
    arrived = item.checked_in_at or item.created_at
    due = max(arrived, item.start) if item.start else arrived
    return due, item.pk


def waiting_queue(*, office: Office) -> list[Appointment]:
    """Checked-in visitors in call order: appointments from their booked time, walk-ins from arrival."""
    items = list(
        Appointment.objects.filter(office=office, status=Appointment.Status.CHECKED_IN).prefetch_related(
            "services"
        )
    )
    return sorted(items, key=_queue_key)


def call_display(
    *, office: Office, now: datetime.datetime | None = None, limit: int = 8
) -> list[Appointment]:
    """The latest calls of today (queue number and counter only; no names)."""
    now = now or timezone.now()
    return list(
        Appointment.objects.filter(office=office, called_at__gte=day_start(timezone.localdate(now)))
        .select_related("counter")
        .order_by("-called_at")[:limit]
    )


@dataclass(frozen=True)
class OfficeStatistics:
    rows: list[stats.Summary]
    total: stats.Summary
    offered_units: int
    booked_units: int
    utilisation: float | None


def office_statistics(*, office: Office, first: datetime.date, last: datetime.date) -> OfficeStatistics:
    """Waiting time, no-show rate per service and utilisation of ``office`` from ``first`` to ``last``."""
    lower = day_start(first)
    upper = day_start(last + datetime.timedelta(days=1))
    closed = [
        Appointment.Status.CANCELLED,
        Appointment.Status.LAPSED,
        Appointment.Status.RESERVED,
        Appointment.Status.PRECONFIRMED,
    ]
    items = (
        Appointment.objects.filter(office=office)
        .filter(
            Q(start__gte=lower, start__lt=upper)
            | Q(start__isnull=True, created_at__gte=lower, created_at__lt=upper)
        )
        .exclude(status__in=closed)
        .prefetch_related("services")
    )
    per_service: dict[str, list[stats.Visit]] = defaultdict(list)
    everything: list[stats.Visit] = []
    booked_units = 0
    for item in items:
        visit = stats.Visit(
            service="",
            booked_start=item.start,
            checked_in_at=item.checked_in_at,
            called_at=item.called_at,
            no_show=item.status == Appointment.Status.NO_SHOW,
            units=item.units,
        )
        everything.append(visit)
        if item.start is not None:
            booked_units += item.units
        for service in item.services.all():
            per_service[service.name].append(visit)
    offered_units = Slot.objects.filter(office=office, start__gte=lower, start__lt=upper).count()
    rows = [stats.summarise(name, visits) for name, visits in sorted(per_service.items())]
    return OfficeStatistics(
        rows=rows,
        total=stats.summarise("", everything),
        offered_units=offered_units,
        booked_units=booked_units,
        utilisation=stats.utilisation(booked_units=booked_units, offered_units=offered_units),
    )
