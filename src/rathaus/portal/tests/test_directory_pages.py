"""Public directory pages, the search page and the JSON search API."""

import datetime as dt

import pytest

from rathaus.directory import services
from rathaus.directory.models import Office

LONG = "Personalausweis " * 700  # about 11,000 characters


@pytest.fixture
def directory(db, django_capture_on_commit_callbacks):
    document = {
        "format": services.FORMAT,
        "offices": [
            {
                "slug": "buergeramt-test",
                "name": "Bürgeramt Test",
                "kind": "citizens_office",
                "street_address": "Am Markt 1",
                "postal_code": "28195",
                "phone": "0421 361-0",
                "latitude": 53.0758,
                "longitude": 8.8072,
                "step_free_access": True,
                "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(5)],
            },
        ],
        "services": [
            {
                "leika_key": "99102013000000",
                "slug": "personalausweis-beantragen",
                "name": "Personalausweis beantragen",
                "summary": "Den Ausweis beantragen.",
                "description": "Sie beantragen den Personalausweis im Bürgeramt.",
                "documents": ["Lichtbild"],
                "fees": "37,00 Euro",
                "legal_basis": ["§ 9 PAuswG"],
                "keywords": ["Perso"],
                "offices": ["buergeramt-test"],
                "by_appointment": True,
                "popularity": 10,
            },
            {
                "leika_key": "99115001000000",
                "slug": "wohnsitz-anmelden",
                "name": "Wohnsitz anmelden",
                "description": "Nach dem Umzug melden Sie sich an.",
                "keywords": ["ummelden"],
                "offices": ["buergeramt-test"],
                "in_person": True,
                "popularity": 20,
            },
        ],
        "life_situations": [
            {
                "slug": "umzug",
                "name": "Umzug",
                "summary": "Neue Wohnung.",
                "services": [{"slug": "wohnsitz-anmelden", "step": "In zwei Wochen"}],
            }
        ],
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_import(document=document, publish=True)


def test_public_directory_pages_render(client, directory):
    """Start page lists most used services; every directory page answers 200."""
    home = client.get("/").content.decode()
    assert "Wohnsitz anmelden" in home and 'name="q"' in home
    for url in [
        "/leistungen/",
        "/leistungen/personalausweis-beantragen/",
        "/dienststellen/",
        "/dienststellen/buergeramt-test/",
        "/lebenslagen/",
        "/lebenslagen/umzug/",
        "/sitemap/",
    ]:
        assert client.get(url).status_code == 200, url
    service = client.get("/leistungen/personalausweis-beantragen/").content.decode()
    assert "37,00 Euro" in service and "Bürgeramt Test" in service
    # No office books it online here (no Terminvergabe planning): no booking link, the 115 instead.
    assert "/termine/?service=" not in service and "telefonisch über die 115" in service
    office = client.get("/dienststellen/buergeramt-test/").content.decode()
    assert "Am Markt 1" in office and "tel:115" in office and "Stufenloser Zugang" in office
    assert client.get("/leistungen/gibt-es-nicht/").status_code == 404


def test_sitemap_xml_lists_every_public_page(client, directory):
    response = client.get("/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert "<loc>http://testserver/leistungen/wohnsitz-anmelden/</loc>" in body
    assert "/dienststellen/buergeramt-test/" in body and "/lebenslagen/umzug/" in body


def test_sitemap_xml_gives_the_configured_address_whatever_host_was_asked(client, directory, settings):
    """Issue 20, finding 5 elsewhere: the sitemap took its host from the request's Host header."""
    settings.RATHAUS_BASE_URL = "https://service.bremen.example"
    body = client.get("/sitemap.xml", HTTP_HOST="localhost").content.decode()
    assert "<loc>https://service.bremen.example/leistungen/wohnsitz-anmelden/</loc>" in body
    assert "localhost" not in body


def test_unpublished_entries_are_not_public(client, directory):
    Office.objects.filter(slug="buergeramt-test").update(status="draft")
    assert client.get("/dienststellen/buergeramt-test/").status_code == 404


def test_search_page_finds_and_filters_by_kind(client, directory):
    page = client.get("/suche/", {"q": "ummelden"}).content.decode()
    assert "/leistungen/wohnsitz-anmelden/" in page
    assert "art=service" in page  # facet link
    only_situations = client.get("/suche/", {"q": "Umzug", "art": "life_situation"}).content.decode()
    assert "/lebenslagen/umzug/" in only_situations
    assert "/leistungen/wohnsitz-anmelden/" not in only_situations


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        LONG,
        'Perso* OR "NEAR(x',
        "'; DROP TABLE kernel_searchdocument; --",
        "паспорт",
        "身份证",
        "\u27e6mark\u27e7",
        "<script>alert(1)</script>",
        "%00\x00",
    ],
)
def test_bad_queries_are_answered_gracefully(client, directory, query):
    """Tried: empty, blanks, 11,000 characters, FTS operators, SQL, Cyrillic, Chinese, markers,
    HTML and NUL — the page answers 200 and never echoes markup unescaped; the API answers 200,
    and 400 for NUL, which it refuses in every request."""
    page = client.get("/suche/", {"q": query, "art": "nonsense", "seite": "abc"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    api = client.get("/api/v1/search", {"q": query})
    if "\x00" in query:
        # No field of any API request may hold NUL (rathaus.api.middleware): a clear 400.
        assert api.status_code == 400 and api["Content-Type"] == "application/problem+json"
    else:
        assert api.status_code == 200
        assert api.json()["total"] >= 0


def test_search_api_returns_hits_facets_and_highlighting(client, directory):
    data = client.get("/api/v1/search", {"q": "Personalausweis"}).json()
    assert data["hits"][0]["url"] == "/leistungen/personalausweis-beantragen/"
    assert "<mark>" in data["hits"][0]["snippet_html"]
    assert {"kind": "service", "label": "Leistungen", "count": 1} in data["facets"]
    assert client.get("/api/v1/search", {"q": "x", "limit": 1000}).status_code == 422


def test_contact_form_posts_into_the_inbox_and_shows_errors(client, directory):
    url = "/dienststellen/buergeramt-test/"
    bad = client.post(url, {"name": "", "email": "kein", "subject": "", "text": ""})
    assert bad.status_code == 400
    good = client.post(url, {"name": "Hanna", "email": "h@example.org", "subject": "Frage", "text": "Hallo"})
    assert good.status_code == 302
    assert Office.objects.get(slug="buergeramt-test").messages.count() == 1


def test_office_today_badge_uses_local_time(client, directory, monkeypatch):
    """On a Monday at 09:00 the office is open now; on Sunday it is closed."""
    from rathaus.portal import directory_views

    monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(directory_views, "_now", lambda: monday)
    assert "Jetzt geöffnet" in client.get("/dienststellen/buergeramt-test/").content.decode()
    monkeypatch.setattr(directory_views, "_now", lambda: monday + dt.timedelta(days=6))
    assert "Heute geschlossen" in client.get("/dienststellen/buergeramt-test/").content.decode()


def test_service_page_shows_the_fee_schedule_tariff_that_names_it(client, directory):
    """A tariff of the fee schedule (payments) that names the service's LeiKa key is shown with its
    amount and legal basis; a service no tariff names shows only its own fee text."""
    from decimal import Decimal

    from rathaus.payments.models import FeeTariff

    FeeTariff.objects.create(
        key="melderegisterauskunft",
        service_key="99115001000000",
        title="Einfache Melderegisterauskunft",
        legal_basis="§ 44 BMG; Bremische Kostenverordnung",
        kind=FeeTariff.Kind.FLAT,
        amount=Decimal("12.00"),
        valid_from=dt.date(2020, 1, 1),
    )
    page = client.get("/leistungen/wohnsitz-anmelden/").content.decode()
    assert "Gebührenverzeichnis" in page
    assert "12,00" in page and "§ 44 BMG" in page
    other = client.get("/leistungen/personalausweis-beantragen/").content.decode()
    assert "Gebührenverzeichnis" not in other
    assert "37,00 Euro" in other


@pytest.mark.parametrize("seite", ["٣", "²", " 2", str(10**30)])
def test_search_page_reads_only_ascii_page_numbers(client, directory, seite):
    """Issue 11, finding 5: "٣" (Arabic-Indic three) is not page 3; nothing crashes."""
    page = client.get("/suche/", {"q": "ummelden", "seite": seite})
    assert page.status_code == 200
    assert page.context["page"] == 1
