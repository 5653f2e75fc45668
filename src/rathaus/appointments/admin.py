"""Planning in the admin: plan, counters, hours, exceptions and offered services per office."""

from django.contrib import admin

from . import selectors
from .models import Appointment, Counter, OfferedService, OfficePlan, OpeningException, OpeningHours


class PlanningAdmin(admin.ModelAdmin):
    """Planning rows: the cached plan of the office is dropped after every change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        selectors.plan_forget(obj.office)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        selectors.plan_forget(obj.office)


@admin.register(OfficePlan)
class OfficePlanAdmin(PlanningAdmin):
    list_display = ["office", "active", "slot_minutes", "release_days", "release_time", "max_open_per_person"]
    list_filter = ["active"]


@admin.register(Counter)
class CounterAdmin(PlanningAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
