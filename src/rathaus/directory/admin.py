"""Staff editing of the directory with review before publishing (four eyes) and history.

Saving an office, service or life situation in the admin puts it back to draft
(``services.publication_edited``); another person reviews it (action "Prüfen"), then it is
published (action "Veröffentlichen"). Every step and every import is in the audit log;
the change form shows that history. Opening hours are checked for overlaps and for ends
before starts; a service without a responsible office cannot be reviewed or published.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from rathaus.accounts.types import User
from rathaus.kernel import audit

from . import services
from .models import (
    LifeSituation,
    LifeSituationService,
    Office,
    OfficeMessage,
    OpeningException,
    OpeningHours,
    Service,
)


def _editor(request: HttpRequest) -> User:
    """The staff member using the admin (only logged-in staff reach it)."""
    user = request.user
    assert isinstance(user, User)
    return user


class OpeningHoursFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        hours = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("opens") is None or data.get("closes") is None:
                continue
            hours.append((data["weekday"], data["opens"], data["closes"]))
        try:
            services.validate_opening_hours(hours)
        except services.DirectoryError as exc:
            raise forms.ValidationError(str(exc), code=exc.code) from exc


class OpeningHoursInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0


class OpeningExceptionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = OpeningException
        fields = ["day", "opens", "closes", "reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if (opens is None) != (closes is None):
            raise forms.ValidationError("Beginn und Ende gehören zusammen (beide leer: geschlossen).")
        if opens is not None and closes is not None and closes <= opens:
            raise forms.ValidationError("Das Ende liegt nicht nach dem Beginn.")
        return data


class OpeningExceptionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OpeningException
    form = OpeningExceptionForm
    extra = 0


class PublicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Shared review workflow: edits go to draft; review and publish are actions."""

    actions = ["review", "publish", "withdraw"]
    workflow_fields = ("status", "edited_by", "reviewed_by", "published_at", "history")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), *self.workflow_fields)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        services.publication_edited(
            obj=form.instance, by=_editor(request), changes={"fields": list(form.changed_data)}
        )

    @admin.display(description="Änderungsverlauf")
    def history(self, obj: Any) -> SafeString:
        if obj is None or obj.pk is None:
            return SafeString("–")
        entries = audit.entries_for_target(obj._meta.label_lower, obj.pk).order_by("-seq")[:30]
        return format_html(
            "<ol>{}</ol>",
            format_html_join(
                "",
                "<li>{} – {} – {}</li>",
                ((e.created_at.strftime("%d.%m.%Y %H:%M"), e.action, e.actor_label) for e in entries),
            ),
        )

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], step: Any, done: str) -> None:
        ok = 0
        for obj in queryset:
            try:
                step(obj=obj, by=_editor(request))
                ok += 1
            except services.DirectoryError as exc:
                self.message_user(request, f"{obj}: {exc}", level=messages.ERROR)
        if ok:
            self.message_user(request, f"{ok} {done}", level=messages.SUCCESS)

    @admin.action(description="Prüfen (Vier-Augen-Prinzip)")
    def review(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, services.publication_review, "geprüft.")

    @admin.action(description="Veröffentlichen")
    def publish(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, services.publication_publish, "veröffentlicht.")

    @admin.action(description="Zurückziehen (offline nehmen)")
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._each(request, queryset, services.publication_withdraw, "zurückgezogen.")


@admin.register(Office)
class OfficeAdmin(PublicationAdmin):
    list_display = ["name", "short_name", "kind", "status", "leitweg_id", "postal_code"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "short_name", "slug", "leitweg_id"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [OpeningHoursInline, OpeningExceptionInline]


class LifeSituationServiceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LifeSituationService
    extra = 0
    autocomplete_fields = ["service"]


@admin.register(Service)
class ServiceAdmin(PublicationAdmin):
    list_display = ["name", "leika_key", "status", "popularity"]
    list_filter = ["status", "by_appointment", "in_person"]
    search_fields = ["name", "leika_key", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["offices"]


@admin.register(LifeSituation)
class LifeSituationAdmin(PublicationAdmin):
    list_display = ["name", "position", "status"]
    list_filter = ["status"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LifeSituationServiceInline]


@admin.register(OfficeMessage)
class OfficeMessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The offices' contact-form inbox; opening a message is an audited read of personal data."""

    list_display = ["subject", "office", "created_at", "handled_at"]
    list_filter = ["office", "handled_at"]
    readonly_fields = ["office", "name", "email", "subject", "text", "created_at"]
    fields = [*readonly_fields, "handled_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        message = OfficeMessage.objects.filter(pk=object_id).first()
        if message is not None:
            audit.record_read(
                actor=request.user,  # type: ignore[arg-type]
                subject=message,
                purpose="Bearbeitung einer Nachricht an die Dienststelle",
                legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
                fields=("name", "email", "text"),
            )
        return super().change_view(request, object_id, form_url, extra_context)
