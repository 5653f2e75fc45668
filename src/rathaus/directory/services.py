"""Writes for the directory: offices and services.

Public: ``office_upsert``.
"""

from __future__ import annotations

from django.db import transaction

from rathaus.kernel import audit

from .models import Office


@transaction.atomic
def office_upsert(
    *,
    slug: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Office | None = None,
    email: str = "",
    phone: str = "",
    street_address: str = "",
    postal_code: str = "",
    city: str = "Bremen",
    leitweg_id: str | None = None,
    website: str = "",
    by: object = None,
) -> Office:
    """Create the office ``slug`` or bring its details up to date; validates like the admin form."""
    office = Office.objects.filter(slug=slug).first() or Office(slug=slug)
    before = {f: getattr(office, f) for f in ("name", "kind", "leitweg_id")} if office.pk else None
    office.name = name
    office.kind = kind
    office.short_name = short_name
    office.parent = parent
    office.email = email
    office.phone = phone
    office.street_address = street_address
    office.postal_code = postal_code
    office.city = city
    office.leitweg_id = leitweg_id or None
    office.website = website
    office.full_clean()
    created = office.pk is None
    office.save()
    after = {f: getattr(office, f) for f in ("name", "kind", "leitweg_id")}
    if created or before != after:
        audit.record(
            actor=by,
            action="directory.office_created" if created else "directory.office_updated",
            target=office,
            details={"slug": slug, **after},
        )
    return office
