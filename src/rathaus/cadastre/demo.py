"""Demo data of the cadastral map extract: the synthetic parcels (deterministic for a seed) and,
where missing, the Geoinformation office that charges the fee. Idempotent and quick; runs
after the payments demo, which loads the fee schedule."""

from __future__ import annotations

from rathaus.directory.selectors import office_by_slug
from rathaus.directory.services import office_upsert
from rathaus.directory.types import Office
from rathaus.kernel.demo import Step

from . import conf, services


def office_ensure() -> Office:
    """The office of ``RATHAUS_CADASTRE_OFFICE``, created as the demo's Geoinformation office if missing."""
    office = office_by_slug(slug=conf.office_slug())
    if office is not None:
        return office
    return office_upsert(
        slug=conf.office_slug(), name="GeoInformation Bremen", short_name="GeoInfo",
        kind=Office.Kind.AUTHORITY, street_address="Lloydstraße 4", postal_code="28217", by="rathaus demo",
    )  # fmt: skip


def load_demo(*, seed: int, step: Step) -> str:
    advance = step("Liegenschaftskarte", 2)
    office_ensure()
    advance(1)
    parcels = services.parcels_ensure(seed=seed)
    advance(1)
    return f"Liegenschaftskarte: {parcels} Flurstücke"
