"""Aussonderung in a real browser: the archivist evaluates, the clerk builds the xdomea package,
the page lists the package's documents and the ZIP downloads; axe-core clean on every step."""

import io
import zipfile
from pathlib import Path

import pytest

from rathaus.efile.archive import services
from rathaus.efile.archive.tests.conftest import build_world

from .conftest import assert_accessible, log_in_staff, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_archivist_evaluates_and_clerk_hands_over_a_package_listing_its_documents(new_page, live_server):
    world = build_world()
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    page = new_page(bypass_csp=True)

    log_in_staff(page, world.archivist, live_server.url)
    page.goto(f"/e-akte/archiv/{disposal.pk}/")
    assert_accessible(page)
    # the radios come preselected from the file plan: A for the archive-worthy file, V for the other
    assert page.get_by_label("archivwürdig (übernehmen)").nth(0).is_checked()
    page.get_by_role("button", name="Bewertung senden").click()
    assert "Bewertet" in page.content()

    log_in_staff(page, world.clerk, live_server.url)
    page.goto(f"/e-akte/archiv/{disposal.pk}/")
    page.get_by_role("button", name="Aussonderungspaket erstellen").click()
    assert page.get_by_role("heading", name="Inhalt des Aussonderungspakets").is_visible()
    assert_accessible(page)
    screenshot(page, "efile-archive-package")
    with page.expect_download() as info:
        page.get_by_role("link", name="Aussonderungspaket (0503, ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes())) as archive:
        names = archive.namelist()
    assert names[0].endswith("_Aussonderung.Aussonderung.0503.xml") and len(names) >= 2

    page.goto("/e-akte/archiv/")
    assert_accessible(page)
