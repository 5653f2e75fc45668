"""``kernel.urls``: every link to this installation at the configured site address."""

import pytest
from django.test import RequestFactory

from rathaus.kernel import urls


def test_the_configured_address_wins_over_the_request(settings):
    settings.RATHAUS_BASE_URL = "https://service.bremen.example"
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    assert urls.absolute("/termine/") == "https://service.bremen.example/termine/"
    assert urls.absolute("/termine/", request=request) == "https://service.bremen.example/termine/"


def test_without_a_configured_address_the_request_else_the_development_address(settings):
    settings.RATHAUS_BASE_URL = ""
    request = RequestFactory().get("/", HTTP_HOST="localhost:8101")
    assert urls.absolute("/termine/", request=request) == "http://localhost:8101/termine/"
    assert urls.absolute("/termine/") == "http://127.0.0.1:8000/termine/"


@pytest.mark.parametrize("path", ["termine/", "//evil.example/", "https://evil.example/", ""])
def test_only_paths_of_this_site_are_made_absolute(settings, path):
    settings.RATHAUS_BASE_URL = "https://service.bremen.example"
    with pytest.raises(ValueError, match="not a path of this site"):
        urls.absolute(path)


@pytest.mark.parametrize(
    ("value", "allowed"),
    [
        ("https://service.bremen.example", True),
        ("https://service.bremen.example:8443", True),
        ("", False),
        ("http://service.bremen.example", False),
        ("https://service.bremen.example/termine", False),
        ("https://user@service.bremen.example", False),
        ("https://service.bremen.example?x=1", False),
        ("https://", False),
        ("https://service.bremen.example:99999", False),
        ("service.bremen.example", False),
    ],
)
def test_what_production_accepts_as_site_address(value, allowed):
    assert urls.is_production_site_address(value) is allowed
