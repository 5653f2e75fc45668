"""Review before publishing: a staff edit goes back to draft, another person reviews, then it is published."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rathaus.kernel import audit

from ..models import LifeSituation, Publication, Service
from .common import Actor, DirectoryError, Publishable, user_of
from .indexing import reindex_on_commit


def _label(obj: Publishable) -> str:
    return obj._meta.model_name or "entry"


def publication_problems(obj: Publishable) -> list[str]:
    """Why ``obj`` cannot be published yet (empty: it can)."""
    problems = []
    if isinstance(obj, Service):
        if obj.pk is None or not obj.offices.exists():
            problems.append("Eine Leistung ohne zuständige Dienststelle kann nicht veröffentlicht werden.")
        if not obj.slug:
            problems.append("Die Leistung braucht einen Kurznamen für die Adresse.")
        if not obj.description.strip():
            problems.append("Die Leistung braucht eine Beschreibung.")
    if isinstance(obj, LifeSituation) and (obj.pk is None or not obj.services.exists()):
        problems.append("Eine Lebenslage braucht mindestens eine Leistung.")
    return problems


@transaction.atomic
def publication_edited(*, obj: Publishable, by: Actor, changes: dict[str, Any] | None = None) -> Publishable:
    """Record a staff edit: the entry goes back to draft and needs a new review."""
    was_published = obj.is_published
    obj.status = Publication.Status.DRAFT
    obj.edited_by = user_of(by)
    obj.reviewed_by = None
    obj.save(update_fields=["status", "edited_by", "reviewed_by", "updated_at"])
    audit.record(
        actor=by,
        action=f"directory.{_label(obj)}_edited",
        target=obj,
        details={"changes": _json_changes(changes or {}), "was_published": was_published},
    )
    reindex_on_commit(obj)
    return obj


@transaction.atomic
def publication_review(*, obj: Publishable, by: Actor) -> Publishable:
    """Confirm a draft as checked; the reviewer must not be the last editor (four eyes)."""
    if obj.status != Publication.Status.DRAFT:
        raise DirectoryError("Nur Entwürfe können geprüft werden.", code="not_draft")
    reviewer = user_of(by)
    if obj.edited_by_id is not None and obj.edited_by_id == (reviewer.pk if reviewer else None):
        raise DirectoryError(
            "Die Prüfung muss eine andere Person vornehmen als die Bearbeitung.", code="four_eyes"
        )
    problems = publication_problems(obj)
    if problems:
        raise DirectoryError(" ".join(problems), code="incomplete")
    obj.status = Publication.Status.REVIEWED
    obj.reviewed_by = reviewer
    obj.save(update_fields=["status", "reviewed_by", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_reviewed", target=obj)
    return obj


@transaction.atomic
def publication_publish(*, obj: Publishable, by: Actor) -> Publishable:
    """Publish a reviewed entry; it appears on the portal and in the search."""
    if obj.status != Publication.Status.REVIEWED:
        raise DirectoryError("Veröffentlicht werden kann nur, was geprüft ist.", code="not_reviewed")
    problems = publication_problems(obj)
    if problems:
        raise DirectoryError(" ".join(problems), code="incomplete")
    obj.status = Publication.Status.PUBLISHED
    obj.published_at = timezone.now()
    obj.save(update_fields=["status", "published_at", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_published", target=obj)
    reindex_on_commit(obj)
    return obj


@transaction.atomic
def publication_withdraw(*, obj: Publishable, by: Actor) -> Publishable:
    """Take an entry off the portal (back to draft)."""
    obj.status = Publication.Status.DRAFT
    obj.reviewed_by = None
    obj.save(update_fields=["status", "reviewed_by", "updated_at"])
    audit.record(actor=by, action=f"directory.{_label(obj)}_withdrawn", target=obj)
    reindex_on_commit(obj)
    return obj


def _json_changes(changes: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value if isinstance(value, str | int | bool | list | type(None)) else str(value)
        for key, value in changes.items()
    }
