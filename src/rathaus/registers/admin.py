from django.contrib import admin

from rathaus.kernel import audit

from . import models
from .selectors import person_search


@admin.register(models.Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["street", "house_number", "postal_code", "district"]
    search_fields = ["street", "postal_code"]
    list_filter = ["district"]
    show_full_result_count = False


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "address"]
    raw_id_fields = ["address"]
    list_select_related = ["address"]
    show_full_result_count = False


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["register_number", "family_name", "given_names", "date_of_birth", "marital_status"]
    # Prefix searches on indexed columns only ("^"): the register holds up to millions of rows.
    search_fields = ["^register_number", "^family_name", "^tax_id"]
    raw_id_fields = ["address", "household"]
    readonly_fields = ["name_key", "created_at"]
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # The index-backed register search (name key, register number) instead of LIKE scans.
        if not search_term.strip():
            return queryset, False
        found = [p.pk for p in person_search(query=search_term, limit=100)]
        return queryset.filter(pk__in=found), False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Staff opening a person's record is a read of personal data and is logged (§ 40 BMG).
        person = self.get_object(request, object_id)
        if person is not None and request.method == "GET":
            audit.record_read(
                actor=request.user,
                subject=person,
                purpose="Pflege des Melderegisters in der Verwaltungsoberfläche",
                legal_basis="§ 2 Abs. 1 BMG",
                fields=[f.name for f in models.Person._meta.concrete_fields],
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(models.BirthRecord)
class BirthRecordAdmin(admin.ModelAdmin):
    list_display = ["record_number", "date", "place", "registry_office"]
    search_fields = ["^record_number"]
    raw_id_fields = ["child", "mother", "father"]
    show_full_result_count = False


@admin.register(models.MarriageRecord)
class MarriageRecordAdmin(admin.ModelAdmin):
    list_display = ["record_number", "date", "ended_on", "end_reason", "registry_office"]
    search_fields = ["^record_number"]
    raw_id_fields = ["spouse_a", "spouse_b"]
    show_full_result_count = False


@admin.register(models.Employer)
class EmployerAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    search_fields = ["name"]


@admin.register(models.IncomeNotification)
class IncomeNotificationAdmin(admin.ModelAdmin):
    list_display = ["person", "employer", "year", "gross_wage", "wage_tax"]
    raw_id_fields = ["person", "employer"]
    list_select_related = ["person", "employer"]
    show_full_result_count = False


@admin.register(models.PensionNotification)
class PensionNotificationAdmin(admin.ModelAdmin):
    list_display = ["person", "pension_fund", "year", "start_date", "annual_gross"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]
    show_full_result_count = False


class _LogAdmin(admin.ModelAdmin):
    """Written only by ``registers.services`` (with its audit entry); the admin shows, never edits."""

    show_full_result_count = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Consent)
class ConsentAdmin(_LogAdmin):
    list_display = ["id", "person", "basis_id", "to_office", "given_at", "valid_until", "withdrawn_at"]
    list_filter = ["basis_id"]
    raw_id_fields = ["person"]
    list_select_related = ["person", "to_office"]


@admin.register(models.ExchangeRecord)
class ExchangeRecordAdmin(_LogAdmin):
    list_display = ["id", "created_at", "requesting_office", "person", "basis_id", "outcome", "refusal_code"]
    list_filter = ["outcome", "basis_id", "refusal_code"]
    raw_id_fields = ["person", "consent"]
    list_select_related = ["person", "requesting_office"]


@admin.register(models.RegisterEvent)
class RegisterEventAdmin(_LogAdmin):
    list_display = ["id", "kind", "person", "occurred_on", "created_at", "processed_at"]
    list_filter = ["kind"]
    raw_id_fields = ["person"]
    list_select_related = ["person"]


@admin.register(models.ProactiveOffer)
class ProactiveOfferAdmin(_LogAdmin):
    list_display = ["id", "rule_id", "person", "status", "created_at", "decided_at", "aktenzeichen"]
    list_filter = ["rule_id", "status"]
    raw_id_fields = ["person", "event"]
    list_select_related = ["person"]
