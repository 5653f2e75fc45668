"""Admin views of kernel tables: the audit log is read-only, task runs can be retried."""

from django.contrib import admin, messages

from . import tasks
from .models import AuditEntry, Blob, PostboxAttachment, PostboxMessage, SearchDocument, TaskRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_type", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action", "actor_type"]
    search_fields = ["action", "actor_label", "target_id", "purpose"]
    ordering = ["-seq"]
    show_full_result_count = False


@admin.register(Blob)
class BlobAdmin(ReadOnlyAdmin):
    list_display = ["sha256", "filename", "content_type", "size", "created_at"]
    search_fields = ["sha256", "filename"]


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "key", "title", "visibility", "updated_at"]
    list_filter = ["kind", "visibility"]
    search_fields = ["key", "title"]


@admin.register(TaskRun)
class TaskRunAdmin(ReadOnlyAdmin):
    list_display = ["key", "task_path", "status", "attempts", "max_attempts", "updated_at"]
    list_filter = ["status", "task_path"]
    search_fields = ["key"]
    actions = ["retry"]

    @admin.action(description="Fehlgeschlagene Aufträge erneut versuchen")
    def retry(self, request, queryset):
        retried = 0
        for run in queryset.filter(status=TaskRun.Status.FAILED):
            tasks.retry_run(run)
            retried += 1
        self.message_user(request, f"{retried} Auftrag/Aufträge erneut eingereiht.", messages.SUCCESS)


class PostboxAttachmentInline(admin.TabularInline):
    model = PostboxAttachment
    extra = 0
    raw_id_fields = ["blob"]


@admin.register(PostboxMessage)
class PostboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["subject", "recipient", "sender_label", "created_at", "read_at"]
    list_filter = ["sender_label"]
    raw_id_fields = ["recipient"]
    # The body is the citizen's correspondence: not shown here (reads would go unaudited).
    fields = ["recipient", "subject", "sender_label", "created_at", "read_at"]
    inlines = [PostboxAttachmentInline]
