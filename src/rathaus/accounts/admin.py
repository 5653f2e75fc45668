from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, LoginEvent, Organisation, StaffRole, User


@admin.register(User)
class RathausUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "kind", "organisation", "is_active")
    list_filter = ("kind", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("Rathaus", {"fields": ("kind", "person", "organisation")}))
    raw_id_fields = ("person",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "vat_id", "leitweg_id")
    search_fields = ("name", "vat_id", "leitweg_id")


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = ("user", "office", "role")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: tokens are issued and revoked through the services, which write the audit log."""

    list_display = (
        "name",
        "prefix",
        "owner",
        "office",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ("user", "method", "eidas_level", "at", "ip_network")
    list_filter = ("method", "eidas_level")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
