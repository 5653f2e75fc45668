"""Admin: the Leitweg-ID routing table, edited through the services (validated and audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from rathaus.accounts.types import User
from rathaus.kernel.exceptions import RathausError

from . import workflow
from .models import LeitwegRoute, PaymentExport


class LeitwegRouteForm(forms.ModelForm):
    class Meta:
        model = LeitwegRoute
        fields = ["pattern", "match", "office", "valid_from", "valid_until", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        pattern = self.instance.pattern if self.instance.pk else data.get("pattern", "")
        match = self.instance.match if self.instance.pk else data.get("match", "")
        try:
            data["pattern"] = workflow.route_validate(
                pattern=pattern,
                match=match,
                valid_from=data["valid_from"],
                valid_until=data.get("valid_until"),
                exclude=self.instance.pk,
            )
        except RathausError as exc:
            raise ValidationError(str(exc)) from exc
        return data


@admin.register(LeitwegRoute)
class LeitwegRouteAdmin(admin.ModelAdmin):
    form = LeitwegRouteForm
    list_display = ["pattern", "match", "office", "valid_from", "valid_until", "note"]
    list_filter = ["match", "office"]
    search_fields = ["pattern", "office__name", "note"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The pattern of an existing route stays; a different pattern is a new route.
        return ["pattern", "match"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # routes end by "gültig bis"; the history must stay readable

    def save_model(self, request: HttpRequest, obj: LeitwegRoute, form: Any, change: bool) -> None:
        data = form.cleaned_data
        user = request.user
        assert isinstance(user, User)  # only logged-in staff reach the admin
        if change:
            saved = workflow.route_update(
                route=obj,
                office=data["office"],
                valid_from=data["valid_from"],
                valid_until=data.get("valid_until"),
                note=data.get("note", ""),
                by=user,
            )
        else:
            saved = workflow.route_create(
                pattern=data["pattern"],
                match=data["match"],
                office=data["office"],
                valid_from=data["valid_from"],
                valid_until=data.get("valid_until"),
                note=data.get("note", ""),
                by=user,
            )
        obj.pk = saved.pk


@admin.register(PaymentExport)
class PaymentExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "created_at", "office", "count", "total", "format"]
    readonly_fields = [
        "created_at",
        "created_by",
        "office",
        "since",
        "until",
        "format",
        "count",
        "total",
        "blob",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
