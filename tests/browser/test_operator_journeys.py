"""The demo as `make run` serves it (local settings, `rathaus runserver`): a visitor who opens a
wrong address sees the city's own 404 page, styled, at desktop and phone width, never Django's
debug page with the URL list."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import assert_accessible, assert_fits_width, screenshot

pytestmark = pytest.mark.browser

RATHAUS = Path(sys.executable).with_name("rathaus")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[str]:
    """`rathaus runserver` with the demo's settings on a free port (like `make run PORT=…`)."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DEBUG")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "rathaus.config.settings.local",
            "RATHAUS_VAR_DIR": str(tmp_path_factory.mktemp("demo-var")),
            "RATHAUS_BASE_URL": base_url,
        }
    )
    server = subprocess.Popen(  # noqa: S603 - our own command
        [str(RATHAUS), "runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base_url}/static/css/app.css", timeout=2)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("rathaus runserver did not start") from None
                time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_wrong_address_in_the_demo_shows_the_citys_404_page(new_page, demo_server, phone):
    page = new_page(bypass_csp=True, phone=phone)
    response = page.goto(f"{demo_server}/gibt-es-nicht/")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Seite nicht gefunden"
    content = page.content()
    assert "URLconf" not in content and "urlpatterns" not in content
    # Styled by KERN (static files are served without DEBUG): the start-page link is a button.
    button = page.get_by_role("link", name="Zur Startseite")
    assert button.evaluate("node => getComputedStyle(node).display") != "inline"
    assert_accessible(page)
    assert_fits_width(page)
    screenshot(page, f"operator-demo-404-{'phone' if phone else 'desktop'}")
