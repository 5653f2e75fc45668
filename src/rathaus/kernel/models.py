"""Kernel tables: audit log, blobs, search index, task runs, citizen postbox, spent one-time
tokens, idempotency records of API calls.

Other apps use these through ``kernel.audit``, ``kernel.blobs``, ``kernel.search``,
``kernel.tasks``, ``kernel.notify``, ``kernel.spent`` and ``kernel.idempotency``, never by
writing the tables directly.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .exceptions import PermissionDenied


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused: the audit log only grows."""

    def update(self, **kwargs):
        raise PermissionDenied("Das Prüfprotokoll kann nicht geändert werden.", code="audit_immutable")

    def delete(self):
        raise PermissionDenied("Das Prüfprotokoll kann nicht gelöscht werden.", code="audit_immutable")


class AuditEntry(models.Model):
    """One entry of the hash-chained audit log (written only by ``kernel.audit``).

    ``hash`` is HMAC-SHA256, under a key kept outside the database, over a canonical JSON of
    the entry's fields including ``prev_hash``, so changing, inserting or removing an entry
    breaks the chain, and whoever can write the database cannot recompute it.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_type = models.CharField(max_length=40)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=100)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    purpose = models.TextField(blank=True)
    legal_basis = models.TextField(blank=True)
    details = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Which chain key made ``hash`` (HMAC-SHA256); empty for entries from before keying,
    # whose hash is plain SHA-256 and which may only precede the first keyed entry.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = "Protokolleintrag"
        verbose_name_plural = "Prüfprotokoll"
        indexes = [
            models.Index(fields=["target_type", "target_id", "seq"], name="kernel_audit_target_idx"),
            models.Index(fields=["actor_type", "actor_id", "seq"], name="kernel_audit_actor_idx"),
            models.Index(fields=["action", "seq"], name="kernel_audit_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args, **kwargs):
        # Integrity guard, not business logic: an existing entry is never rewritten.
        if not self._state.adding:
            raise PermissionDenied("Protokolleinträge können nicht geändert werden.", code="audit_immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Protokolleinträge können nicht gelöscht werden.", code="audit_immutable")


class Blob(models.Model):
    """Stored bytes, addressed by their SHA-256; identical content is stored once."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=150)
    filename = models.CharField(max_length=255, help_text="Name beim ersten Hochladen (nur zur Anzeige).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Datei"
        verbose_name_plural = "Dateien"

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"

    @property
    def path(self) -> str:
        return f"{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


class SearchDocument(models.Model):
    """One entry of the search index (written only by ``kernel.search``).

    The matching structures live beside it: on SQLite the FTS5 table
    ``kernel_search_fts`` (rowid = id), on PostgreSQL the ``search_vector`` tsvector
    column with a GIN index; both are created by migration 0002.
    """

    kind = models.CharField(max_length=50)
    key = models.CharField(max_length=200)
    title = models.TextField()
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(max_length=30, default="public")
    language = models.CharField(max_length=10, default="de")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Suchindex-Eintrag"
        verbose_name_plural = "Suchindex"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="kernel_search_kind_key_uniq")]
        indexes = [models.Index(fields=["visibility", "kind"], name="kernel_search_vis_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class SearchStamp(models.Model):
    """A random stamp per visibility, new after every committed change of the search index.

    ``kernel.search.cache`` compares it with the stamp its cached answers were built under.
    """

    visibility = models.CharField(max_length=30, primary_key=True)
    stamp = models.CharField(max_length=32)

    class Meta:
        verbose_name = "Suchindex-Stand"
        verbose_name_plural = "Suchindex-Stände"

    def __str__(self) -> str:
        return f"{self.visibility}: {self.stamp}"


class TaskRun(models.Model):
    """Bookkeeping for one idempotent background job: its key, attempts, lease and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Wartet"
        RUNNING = "running", "Läuft"
        RETRYING = "retrying", "Wird wiederholt"
        SUCCEEDED = "succeeded", "Erfolgreich"
        FAILED = "failed", "Fehlgeschlagen"

    key = models.CharField(max_length=200, unique=True)
    task_path = models.CharField(max_length=300)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField()
    backoff_seconds = models.PositiveIntegerField()
    last_error = models.TextField(blank=True)
    result_id = models.CharField(max_length=64, blank=True, help_text="ID des zuletzt eingereihten Auftrags.")
    # While running: the worker holds the run until then and renews it as long as it lives;
    # a run whose lease ran out belongs to a worker that died and is handed back (kernel.tasks).
    lease_until = models.DateTimeField(
        null=True, blank=True, help_text="Solange der Auftrag läuft: bis wann der Worker ihn hält."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Hintergrundauftrag"
        verbose_name_plural = "Hintergrundaufträge"
        indexes = [models.Index(fields=["status", "updated_at"], name="kernel_taskrun_status_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_status_display()})"


class PostboxMessage(models.Model):
    """A message in a citizen's (or organisation's) postbox in the portal."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="postbox_messages"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sender_label = models.CharField(max_length=200)
    # A page of the portal the message asks the recipient to open ("Rückfrage beantworten"):
    # a path of our own, set only by services.
    link_url = models.CharField(max_length=300, blank=True, default="")
    link_label = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "Postfachnachricht"
        verbose_name_plural = "Postfachnachrichten"
        indexes = [models.Index(fields=["recipient", "read_at"], name="kernel_postbox_unread_idx")]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class PostboxAttachment(models.Model):
    """A file attached to a postbox message; the bytes are a content-addressed blob."""

    message = models.ForeignKey(PostboxMessage, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = "Anhang"
        verbose_name_plural = "Anhänge"

    def __str__(self) -> str:
        return self.filename


class SpentToken(models.Model):
    """A one-time token that was used (a solved proof of work, a waiting ticket …), kept until it
    would have expired anyway: the unique ``digest`` makes it count once (``kernel.spent``)."""

    purpose = models.CharField(max_length=40)
    # HMAC-SHA256 of purpose and value (the value itself is not stored).
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "Verbrauchtes Einmal-Token"
        verbose_name_plural = "Verbrauchte Einmal-Tokens"

    def __str__(self) -> str:
        return f"{self.purpose} {self.digest[:12]}"


class IdempotencyRecord(models.Model):
    """The first answer to a state-changing API call, replayed for the same key and body
    (``kernel.idempotency``)."""

    owner = models.CharField(max_length=60)
    key = models.CharField(max_length=200)
    operation = models.CharField(max_length=200)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "Idempotenz-Eintrag"
        verbose_name_plural = "Idempotenz-Einträge"
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="kernel_idempotency_owner_key_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
