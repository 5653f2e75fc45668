"""Offices: Leitweg-ID validation, upsert with audit, selectors."""

import pytest
from django.core.exceptions import ValidationError

from rathaus.directory.models import Office
from rathaus.directory.selectors import office_by_leitweg_id, office_by_slug, office_list
from rathaus.directory.services import office_upsert
from rathaus.kernel.audit import entries_for_target


def test_upsert_creates_then_updates_and_audits(db):
    """The first call creates the office, a changed name updates it; both are audited."""
    office = office_upsert(slug="ordnungsamt", name="Ordnungsamt", kind=Office.Kind.AUTHORITY,
                           leitweg_id="04011000-1234512345-06")  # fmt: skip
    office_upsert(slug="ordnungsamt", name="Ordnungsamt Bremen", kind=Office.Kind.AUTHORITY,
                  leitweg_id="04011000-1234512345-06")  # fmt: skip
    office.refresh_from_db()
    assert office.name == "Ordnungsamt Bremen"
    actions = list(entries_for_target("directory.office", office.pk).values_list("action", flat=True))
    assert sorted(actions) == ["directory.office_created", "directory.office_updated"]


def test_office_with_a_wrong_leitweg_check_digit_is_refused(db):
    """A mistyped Leitweg-ID would misroute e-invoices: refused with the reason, nothing saved."""
    with pytest.raises(ValidationError, match="Prüfziffer"):
        office_upsert(slug="x", name="X", kind=Office.Kind.AUTHORITY, leitweg_id="04011000-1234512345-07")
    assert not Office.objects.filter(slug="x").exists()


def test_selectors(db):
    """Offices by name, by kind, by slug and by Leitweg-ID (case-insensitive)."""
    office_upsert(slug="standesamt", name="Standesamt", kind=Office.Kind.REGISTRY_OFFICE)
    office_upsert(
        slug="buergeramt", name="Bürgeramt", kind=Office.Kind.CITIZENS_OFFICE, leitweg_id="991-33333TEST-33"
    )
    assert [o.slug for o in office_list()] == ["buergeramt", "standesamt"]
    assert [o.slug for o in office_list(kind=Office.Kind.REGISTRY_OFFICE)] == ["standesamt"]
    assert office_by_slug(slug="standesamt").name == "Standesamt"
    assert office_by_slug(slug="nope") is None
    assert office_by_leitweg_id(leitweg_id=" 991-33333test-33 ").slug == "buergeramt"
