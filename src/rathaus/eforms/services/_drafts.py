"""Drafts of online applications: start or resume, save a step (what was typed is kept even
with errors; files are stored and checked first), add and remove instances of a repeating group."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from rathaus.accounts.types import User
from rathaus.domain.eforms.definition import FormDefinition, Group, Step
from rathaus.domain.eforms.validation import FieldError, Upload, instance_numbers, validate_step
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .. import registry
from ..models import Application, Attachment


class ApplicationIncomplete(InvalidInput):
    """Submitted with a step that still has problems; ``step_id`` names the first."""

    default_code = "application_incomplete"

    def __init__(self, message: str, *, step_id: str) -> None:
        super().__init__(message)
        self.step_id = step_id


@dataclass(frozen=True)
class StepOutcome:
    errors: tuple[FieldError, ...]
    next_step: str | None  # None: the summary comes next

    @property
    def ok(self) -> bool:
        return not self.errors


def _definition(application: Application) -> FormDefinition:
    definition = registry.definition(application.form_id)
    if definition is None:
        raise NotFound("Dieses Formular wird nicht mehr angeboten.", code="form_unknown")
    return definition


def _draft(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not locked.is_draft:
        raise Conflict(
            "Der Antrag ist schon eingereicht und kann nicht mehr geändert werden.", code="submitted"
        )
    return locked


@transaction.atomic
def application_start(*, form_id: str, applicant: User) -> Application:
    """A new draft of ``form_id`` for ``applicant``, or their open draft of it (resume)."""
    definition = registry.definition(form_id)
    if definition is None:
        raise NotFound("Dieses Formular gibt es nicht.", code="form_unknown")
    open_draft = Application.objects.filter(
        applicant=applicant, form_id=form_id, status=Application.Status.DRAFT
    ).first()
    if open_draft is not None:
        return open_draft
    application = Application.objects.create(
        form_id=definition.id,
        form_version=definition.version,
        leika_key=definition.leika,
        title=definition.title,
        applicant=applicant,
    )
    audit.record(
        actor=applicant, action="eforms.application_started", target=application, details={"form": form_id}
    )
    return application


def _names(step: Step, raw: Mapping[str, Sequence[str]]) -> set[str]:
    """The input names that belong to ``step`` (a group's instances included)."""
    names: set[str] = set()
    for item in step.items:
        if isinstance(item, Group):
            prefix = f"{item.id}-"
            names.update(
                name
                for name in raw
                if name.startswith(prefix)
                and name[len(prefix) :].partition("-")[0].isdigit()
                and item.field(name[len(prefix) :].partition("-")[2]) is not None
            )
        elif not item.is_file:
            names.add(item.id)
    return names


def _step(definition: FormDefinition, step_id: str) -> Step:
    step = definition.step(step_id)
    if step is None:
        raise NotFound("Diesen Schritt gibt es in diesem Formular nicht.", code="step_unknown")
    return step


def attachments_by_path(application: Application, step_id: str) -> dict[str, list[Upload]]:
    """The step's uploads by field path."""
    return attachments_by_step(application, step_ids=[step_id]).get(step_id, {})


def attachments_by_step(
    application: Application, *, step_ids: Sequence[str] | None = None
) -> dict[str, dict[str, list[Upload]]]:
    """The uploads by step and field path (of ``step_ids`` only, where given), in one query."""
    rows = Attachment.objects.filter(application=application).select_related("blob")
    if step_ids is not None:
        rows = rows.filter(step_id__in=step_ids)
    uploads: dict[str, dict[str, list[Upload]]] = {}
    for row in rows:
        uploads.setdefault(row.step_id, {}).setdefault(row.path, []).append(
            Upload(
                name=row.filename, size=row.blob.size, media_type=row.blob.content_type, ref=row.blob.sha256
            )
        )
    return uploads


def _store_uploads(
    step: Step, files: Mapping[str, Sequence[IO[bytes]]]
) -> tuple[dict[str, list[blobs.Blob]], list[FieldError]]:
    """Store the files posted for the step's file fields (checked and scanned by kernel.blobs)."""
    stored: dict[str, list[blobs.Blob]] = {}
    errors: list[FieldError] = []
    fields = {item.id: item for item in step.items if not isinstance(item, Group) and item.is_file}
    for path, posted in files.items():
        field = fields.get(path)
        if field is None or not posted:
            continue
        if len(posted) > field.max_files:
            errors.append(FieldError(path, "too_many_files", {"max": field.max_files}))
            continue
        for upload in posted:
            name = str(getattr(upload, "name", "") or "datei")
            try:
                stored.setdefault(path, []).append(
                    blobs.store(
                        content=upload, filename=name, allowed_types=field.accept, max_bytes=field.max_bytes
                    )
                )
            except blobs.BlobTooLarge:
                errors.append(
                    FieldError(path, "file_too_large", {"name": name, "max_bytes": field.max_bytes})
                )
            except blobs.BlobTypeNotAllowed:
                errors.append(
                    FieldError(path, "file_type", {"name": name, "accept": ", ".join(field.accept)})
                )
            except blobs.BlobError as error:  # empty, a name contradicting the content, malware
                errors.append(FieldError(path, "file_refused", {"name": name, "reason": error.message}))
    return stored, errors


def application_step_save(
    *,
    application: Application,
    step_id: str,
    raw: Mapping[str, Sequence[str]],
    files: Mapping[str, Sequence[IO[bytes]]] | None = None,
    by: User,
    today: datetime.date | None = None,
) -> StepOutcome:
    """Keep what was posted for the step (always) and check it; files are stored before the
    row is locked (slow work first). A new file replaces the field's earlier ones."""
    definition = _definition(application)
    step = _step(definition, step_id)
    stored, upload_errors = _store_uploads(step, files or {})
    with transaction.atomic():
        application = _draft(application)
        if application.applicant_id != by.pk:
            raise NotFound("Diesen Antrag gibt es nicht.", code="application_unknown")
        kept = {name: [str(value) for value in raw.get(name, [])] for name in sorted(_names(step, raw))}
        application.raw = {**application.raw, step.id: kept}
        for path, new_blobs in stored.items():
            Attachment.objects.filter(application=application, step_id=step.id, path=path).delete()
            Attachment.objects.bulk_create(
                Attachment(
                    application=application, step_id=step.id, path=path, blob=blob, filename=blob.filename
                )
                for blob in new_blobs
            )
        earlier = _earlier_values(definition, application, step, today)
        result = validate_step(
            definition,
            step,
            kept,
            files=attachments_by_path(application, step.id),
            earlier=earlier,
            today=today or timezone.localdate(),
        )
        failed = {error.path for error in upload_errors}
        errors = tuple(upload_errors) + tuple(e for e in result.errors if e.path not in failed)
        done = [s for s in application.completed_steps if s != step.id] + ([step.id] if not errors else [])
        application.completed_steps = done
        application.updated_at = timezone.now()
        application.save(update_fields=["raw", "completed_steps", "updated_at"])
    return StepOutcome(errors=errors, next_step=_after(definition, step.id))


def _earlier_values(
    definition: FormDefinition, application: Application, step: Step, today: datetime.date | None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    files = attachments_by_step(application)
    for earlier in definition.steps:
        if earlier.id == step.id:
            break
        result = validate_step(
            definition,
            earlier,
            application.raw.get(earlier.id, {}),
            files=files.get(earlier.id, {}),
            earlier=values,
            today=today or timezone.localdate(),
        )
        values.update(result.values)
    return values


def _after(definition: FormDefinition, step_id: str) -> str | None:
    ids = [step.id for step in definition.steps]
    position = ids.index(step_id)
    return ids[position + 1] if position + 1 < len(ids) else None


def _group(definition: FormDefinition, step_id: str, group_id: str) -> Group:
    group = next(
        (
            item
            for item in _step(definition, step_id).items
            if isinstance(item, Group) and item.id == group_id
        ),
        None,
    )
    if group is None or not group.repeats:
        raise NotFound("Diese Gruppe gibt es in diesem Schritt nicht.", code="group_unknown")
    return group


@transaction.atomic
def group_instance_add(*, application: Application, step_id: str, group_id: str, by: User) -> None:
    """One more (empty) instance of a repeating group, up to its maximum."""
    definition = _definition(application)
    group = _group(definition, step_id, group_id)
    application = _draft(application)
    raw = dict(application.raw.get(step_id, {}))
    numbers = instance_numbers(group, raw) or list(range(max(group.min_repeat, 1)))
    if len(numbers) >= group.max_repeat:
        raise InvalidInput(
            f"Es sind höchstens {group.max_repeat} Einträge möglich.", code="too_many_instances"
        )
    new = max(numbers, default=-1) + 1
    for number in [*numbers, new]:
        for field in group.fields:
            if not field.is_file:
                raw.setdefault(f"{group.id}-{number}-{field.id}", [])
    application.raw = {**application.raw, step_id: raw}
    application.updated_at = timezone.now()
    application.save(update_fields=["raw", "updated_at"])


@transaction.atomic
def group_instance_remove(
    *, application: Application, step_id: str, group_id: str, number: int, by: User
) -> None:
    definition = _definition(application)
    group = _group(definition, step_id, group_id)
    application = _draft(application)
    prefix = f"{group.id}-{number}-"
    raw = {
        name: value for name, value in application.raw.get(step_id, {}).items() if not name.startswith(prefix)
    }
    application.raw = {**application.raw, step_id: raw}
    application.updated_at = timezone.now()
    application.save(update_fields=["raw", "updated_at"])


def plain(value: Any) -> Any:
    """Cleaned values as JSON can hold them (dates ISO, amounts as decimal text, files as refs)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Upload):
        return {
            "filename": value.name,
            "size": value.size,
            "media_type": value.media_type,
            "sha256": value.ref,
        }
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
