"""Aussonderung in a real browser: the archivist evaluates, the clerk builds the xdomea package,
the page lists the package's documents and the ZIP downloads; axe-core clean on every step."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.efile.archive import services
from rathaus.efile.archive.tests.conftest import build_world

from .conftest import assert_accessible, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in_staff(page, user, live_server_url: str) -> None:
    """A staff session that passed the second factor, as after the TOTP step."""
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "rathaus.accounts.backends.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["otp_device_id"] = device.persistent_id
    session.create()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server_url}]
    )


def test_archivist_evaluates_and_clerk_hands_over_a_package_listing_its_documents(new_page, live_server):
    world = build_world()
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    page = new_page(bypass_csp=True)

    _log_in_staff(page, world.archivist, live_server.url)
    page.goto(f"/e-akte/archiv/{disposal.pk}/")
    assert_accessible(page)
    # the radios come preselected from the file plan: A for the archive-worthy file, V for the other
    assert page.get_by_label("archivwürdig (übernehmen)").nth(0).is_checked()
    page.get_by_role("button", name="Bewertung senden").click()
    assert "Bewertet" in page.content()

    _log_in_staff(page, world.clerk, live_server.url)
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
