"""The demo (`make run`, local settings) behaves like a real installation towards visitors:
the city's own 404 page, never Django's debug page with the URL list; static files served."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client()
missing = client.get("/gibt-es-nicht/")
static = client.get("/static/css/app.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "base_url": settings.RATHAUS_BASE_URL,
    "status": missing.status_code,
    "page": missing.content.decode(),
    "static": static.status_code,
}))
"""


def _probe(tmp_path: Path, **extra: str) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "DEBUG")}
    env.update(
        {"DJANGO_SETTINGS_MODULE": "rathaus.config.settings.local", "RATHAUS_VAR_DIR": str(tmp_path), **extra}
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_demo_shows_the_real_404_page_and_serves_static_files(tmp_path):
    """DEBUG is off in the demo: the 404 is the project's page, without the URL patterns."""
    result = _probe(tmp_path)
    assert result["debug"] is False
    assert result["status"] == 404
    assert "Seite nicht gefunden" in result["page"]
    assert "URLconf" not in result["page"] and "urlpatterns" not in result["page"]
    assert result["static"] == 200


def test_the_demo_base_url_follows_the_environment(tmp_path):
    """`make run PORT=8101` sets RATHAUS_BASE_URL; without it the demo assumes port 8000."""
    assert _probe(tmp_path)["base_url"] == "http://127.0.0.1:8000"
    assert _probe(tmp_path, RATHAUS_BASE_URL="http://127.0.0.1:8101/")["base_url"] == "http://127.0.0.1:8101"


def test_developers_can_still_turn_on_the_debug_pages(tmp_path):
    result = _probe(tmp_path, DEBUG="true")
    assert result["debug"] is True
    assert "URLconf" in result["page"]
