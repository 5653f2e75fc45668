from django.contrib import admin

from .models import Office, Service


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "leitweg_id", "postal_code"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "slug", "leitweg_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "leika_key"]
    search_fields = ["name", "leika_key"]
    filter_horizontal = ["offices"]
