"""Planning in the admin: plan, counters, hours, exceptions and offered services per office.

Every change goes through the planning services (``services.planning_row_save`` and
``planning_row_delete``): it is audited with who changed what (old and new value), the office's
cached plan is dropped once the change has committed, a day exception removes the day's free
units and the office's units are topped up at once. The office of a stored row cannot be
changed, and an office's plan and its counters are not deleted (units and bookings hang on
them): switch them off instead. Appointments are read-only here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from rathaus.accounts.types import User

from . import services
from .models import Appointment, Counter, OfferedService, OfficePlan, OpeningException, OpeningHours


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class PlanningAdmin(admin.ModelAdmin):
    """Planning rows, written through the planning services."""

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # A stored row stays at its office (its units and the audit trail are the office's).
        return ("office",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.planning_row_save(row=obj, by=_actor(request))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.planning_row_delete(row=obj, by=_actor(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for row in queryset:
            services.planning_row_delete(row=row, by=_actor(request))


class FixedPlanningAdmin(PlanningAdmin):
    """Plans and counters: switched off, never deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(OfficePlan)
class OfficePlanAdmin(FixedPlanningAdmin):
    list_display = ["office", "active", "slot_minutes", "release_days", "release_time", "max_open_per_person"]
    list_filter = ["active"]


@admin.register(Counter)
class CounterAdmin(FixedPlanningAdmin):
    list_display = ["office", "name", "active"]
    list_filter = ["office"]


@admin.register(OpeningHours)
class OpeningHoursAdmin(PlanningAdmin):
    list_display = ["office", "weekday", "opens", "closes"]
    list_filter = ["office", "weekday"]


@admin.register(OpeningException)
class OpeningExceptionAdmin(PlanningAdmin):
    list_display = ["office", "day", "closed", "opens", "closes", "reason"]
    list_filter = ["office"]


@admin.register(OfferedService)
class OfferedServiceAdmin(PlanningAdmin):
    list_display = ["office", "service", "duration_minutes", "buffer_minutes", "active"]
    list_filter = ["office", "active"]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    """Read-only: appointments change only through the booking and the office's desk."""

    list_display = ["code", "office", "start", "status", "kind"]
    list_filter = ["office", "status", "kind"]
    search_fields = ["code"]
    readonly_fields = [f.name for f in Appointment._meta.fields if not f.name.endswith("_nonce")]
    exclude = ["link_nonce", "verify_nonce"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
