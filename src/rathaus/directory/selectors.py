"""Reads for the directory.

Public: ``office_list``, ``office_by_slug``, ``office_by_leitweg_id``.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Office


def office_list(*, kind: str | None = None) -> QuerySet[Office]:
    """All offices by name, optionally only those of one ``Office.Kind``."""
    offices = Office.objects.select_related("parent").order_by("name")
    return offices.filter(kind=kind) if kind else offices


def office_by_slug(*, slug: str) -> Office | None:
    """The office with this slug, or None."""
    return Office.objects.select_related("parent").filter(slug=slug).first()


def office_by_leitweg_id(*, leitweg_id: str) -> Office | None:
    """The office that receives e-invoices under this Leitweg-ID (compared upper-case), or None."""
    return Office.objects.filter(leitweg_id=leitweg_id.strip().upper()).first()
