"""The office page's opening hours: KERN table markup, dates in the page's language, German
data marked as German on English pages."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone, translation

from .test_directory_pages import directory  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _german_again_afterwards():
    """A request in English leaves English active in this thread (LocaleMiddleware does not
    reset it); later tests that render without a request expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_opening_hours_table_uses_kern_table_classes(client, directory):  # noqa: F811
    html = client.get("/dienststellen/buergeramt-test/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    table = html[html.index('<table class="kern-table kern-table--small app-hours">') :]
    table = table[: table.index("</table>")]
    assert '<thead class="kern-table__header"><tr class="kern-table__row">' in table
    assert '<tbody class="kern-table__body">' in table
    assert table.count('<th class="kern-table__header" scope="row">') == 7
    assert table.count('<td class="kern-table__cell">') == 7
    assert "<tr>" not in table and "<td>" not in table


def test_special_days_read_as_english_dates_and_the_office_name_is_marked_german(client, directory):  # noqa: F811
    from rathaus.directory.models import Office

    office = Office.objects.get(slug="buergeramt-test")
    day = timezone.localdate() + dt.timedelta(days=3)
    office.opening_exceptions.create(day=day, reason="Betriebsausflug")
    client.cookies["rathaus_language"] = "en"
    html = client.get("/dienststellen/buergeramt-test/").content.decode()
    assert '<html lang="en"' in html
    assert f"{day:%A}, {day.day} {day:%B} {day.year}" in html
    assert f"{day.day}. {day:%B}" not in html
    assert '<h1 class="kern-heading-x-large" lang="de">Bürgeramt Test</h1>' in html
    assert '(<span lang="de">Betriebsausflug</span>)' in html
