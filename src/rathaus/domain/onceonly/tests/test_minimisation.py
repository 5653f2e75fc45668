"""Data minimisation (Art. 5 Abs. 1 Buchst. c DSGVO): only covered fields are released."""

from __future__ import annotations

from rathaus.domain.onceonly.catalogue import load_catalogue
from rathaus.domain.onceonly.minimisation import (
    NOT_COVERED,
    UNKNOWN_FIELD,
    minimise,
    permitted_categories,
)

CATALOGUE = load_catalogue()


def test_fields_outside_the_basis_are_withheld_with_the_reason() -> None:
    basis = CATALOGUE.get("bmg-34-grunddaten")
    assert basis is not None
    release = minimise(
        requested=["name", "address", "tax_id", "name", "blood_group"],
        permitted=permitted_categories(basis),
        covered_by=basis.citation,
    )
    assert release.released == ("name", "address")
    assert [(w.field, w.code) for w in release.withheld] == [
        ("tax_id", NOT_COVERED),
        ("blood_group", UNKNOWN_FIELD),
    ]
    assert "§ 34 Abs. 1 BMG" in release.withheld[0].reason
    assert "Steuerliche Identifikationsnummer" in release.withheld[0].reason
    assert release.released_categories == ("identity", "address")


def test_a_basis_that_needs_consent_releases_nothing_without_one() -> None:
    basis = CATALOGUE.get("beeg-25-geburt")
    assert basis is not None
    assert permitted_categories(basis) == frozenset()
    release = minimise(requested=["name", "children"], permitted=permitted_categories(basis), covered_by="x")
    assert release.released == ()


def test_a_consent_narrows_but_never_widens_the_basis() -> None:
    basis = CATALOGUE.get("beeg-25-geburt")
    assert basis is not None
    permitted = permitted_categories(basis, ["children", "tax_id"])
    assert permitted == frozenset({"children"})
    release = minimise(
        requested=["children", "tax_id", "address"], permitted=permitted, covered_by="Ihre Einwilligung"
    )
    assert release.released == ("children",)
    assert {w.field for w in release.withheld} == {"tax_id", "address"}
