"""Reads of the Terminvergabe.

Public: ``domain_plan``, ``holidays_for``, ``bookable_services``, ``bookable_offices``,
``offices_for_services``, ``service_ids_bookable_at``, ``services_by_ids``,
``services_by_leika_keys``, ``planned_offices``, ``planned_office``, ``plan_document`` (the plan
as a file), ``citizen_appointments``, ``appointments_of_user`` (all, for the Art. 15 copy),
``offered_for``, ``offered_services``, ``availability``, ``earliest_across_offices``,
``appointment_for_mail``, ``day_list``, ``day_list_in_order``, ``waiting_queue``,
``call_display``, ``office_statistics``, ``staff_offices``,
``active_counters``; and for the app's services: the plan cache (``plan_snapshot(s)``,
``plan_forget``) and the time helpers (``aware``, ``local_naive``, ``day_start``).

By responsibility: ``plans`` (planning rows, offers, the cached snapshot), ``availability``
(free start times), ``desk`` (booked appointments: the citizen's, the day list, the queue,
statistics). Import from this package, not from its modules.
"""

from __future__ import annotations

from ._common import aware, day_start, holidays_for, local_naive
from .availability import (
    FREE_CACHE_SECONDS,
    MAX_SCAN_ROWS,
    Free,
    availability,
    earliest_across_offices,
    free_cached,
)
from .desk import (
    OfficeStatistics,
    active_counters,
    appointment_for_mail,
    appointments_of_user,
    call_display,
    citizen_appointments,
    day_list,
    day_list_in_order,
    office_statistics,
    staff_offices,
    waiting_queue,
)
from .plans import (
    FREE_SOURCE,
    PLAN_CACHE_SECONDS,
    PlanSnapshot,
    active_plan,
    bookable_offices,
    bookable_services,
    domain_plan,
    offered_for,
    offered_services,
    offices_for_services,
    plan_document,
    plan_forget,
    plan_snapshot,
    plan_snapshots,
    planned_office,
    planned_offices,
    service_ids_bookable_at,
    services_by_ids,
    services_by_leika_keys,
    units_for,
)

__all__ = [
    "FREE_CACHE_SECONDS",
    "FREE_SOURCE",
    "MAX_SCAN_ROWS",
    "PLAN_CACHE_SECONDS",
    "Free",
    "OfficeStatistics",
    "PlanSnapshot",
    "active_counters",
    "active_plan",
    "appointment_for_mail",
    "appointments_of_user",
    "availability",
    "aware",
    "bookable_offices",
    "bookable_services",
    "call_display",
    "citizen_appointments",
    "day_list",
    "day_list_in_order",
    "day_start",
    "domain_plan",
    "earliest_across_offices",
    "free_cached",
    "holidays_for",
    "local_naive",
    "office_statistics",
    "offered_for",
    "offered_services",
    "offices_for_services",
    "plan_document",
    "plan_forget",
    "plan_snapshot",
    "plan_snapshots",
    "planned_office",
    "planned_offices",
    "service_ids_bookable_at",
    "services_by_ids",
    "services_by_leika_keys",
    "staff_offices",
    "units_for",
    "waiting_queue",
]
