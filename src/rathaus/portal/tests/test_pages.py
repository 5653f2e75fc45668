"""The public pages, the page shell and the language switch (no login needed)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

PUBLIC_PAGES = [
    ("portal:home", "Startseite"),
    ("portal:imprint", "Impressum"),
    ("portal:privacy", "Datenschutz"),
    ("portal:accessibility", "Barrierefreiheit"),
    ("portal:easy_language", "Leichte Sprache"),
    ("portal:contact", "Kontakt"),
]


class _Inventory(HTMLParser):
    """Collects what the Content-Security-Policy would block and what links point to."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_styles: list[str] = []
        self.inline_scripts = 0
        self.style_elements = 0
        self.event_handlers: list[str] = []
        self.links: list[str] = []
        self.landmarks: set[str] = set()
        self.html_lang = ""
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.inline_styles.append(tag)
        self.event_handlers += [name for name in attributes if name.startswith("on")]
        if tag == "script" and not attributes.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.style_elements += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if tag in {"header", "nav", "main", "footer"}:
            self.landmarks.add(tag)
        if tag == "html":
            self.html_lang = attributes.get("lang") or ""


def _inventory(html: str) -> _Inventory:
    parser = _Inventory()
    parser.feed(html)
    return parser


@pytest.fixture
def german_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="de")


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "title"), PUBLIC_PAGES)
def test_public_page_renders_in_german_with_site_title(german_client, url_name, title):
    """Each public page answers 200 in German with the title "<Seite> – Rathaus Bremen"."""
    response = german_client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>{title} – Rathaus Bremen</title>" in html
    assert _inventory(html).html_lang == "de"


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "title"), PUBLIC_PAGES)
def test_public_page_needs_no_inline_script_or_style(german_client, url_name, title):
    """The strict CSP (no 'unsafe-inline') blocks inline code, so pages must not contain any."""
    response = german_client.get(reverse(url_name))
    found = _inventory(response.content.decode())
    assert found.inline_styles == []
    assert found.inline_scripts == 0
    assert found.style_elements == 0
    assert found.event_handlers == []
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.django_db
def test_shell_has_landmarks_skip_link_and_footer_links(german_client):
    """Header, navigation, main and footer landmarks; a skip link to #main; the legal pages."""
    html = german_client.get(reverse("portal:home")).content.decode()
    found = _inventory(html)
    assert found.landmarks == {"header", "nav", "main", "footer"}
    assert 'href="#main"' in html and 'id="main"' in html
    for url_name in ("imprint", "privacy", "accessibility", "easy_language", "contact"):
        assert reverse(f"portal:{url_name}") in found.links


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "title"), PUBLIC_PAGES)
def test_every_internal_link_on_public_pages_resolves(german_client, url_name, title):
    """No dead links: each internal link of a public page answers 200 or sends to the login."""
    html = german_client.get(reverse(url_name)).content.decode()
    for href in _inventory(html).links:
        if href.startswith(("#", "mailto:", "http")):
            continue
        response = german_client.get(href.split("#")[0])
        assert response.status_code in (200, 302), href
        if response.status_code == 302:
            assert "login" in response["Location"] or "anmeld" in response["Location"], href


@pytest.mark.django_db
def test_language_switch_posts_to_set_language_without_javascript(german_client):
    """The switch is a plain form: POST language=en with next=the current page."""
    html = german_client.get(reverse("portal:imprint")).content.decode()
    form = re.search(r'<form class="app-language" action="([^"]+)" method="post">(.*?)</form>', html, re.S)
    assert form is not None
    assert form.group(1) == reverse("set_language")
    assert 'name="next" type="hidden" value="/impressum/"' in form.group(2)
    assert 'name="language" value="en"' in form.group(2)


@pytest.mark.django_db
def test_choosing_english_shows_the_start_page_in_english(german_client):
    """After POST /i18n/setlang/ with language=en, the start page is English and says so in lang."""
    response = german_client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert _inventory(html).html_lang == "en"
    assert "Welcome to the online town hall" in html
    assert "<title>Start page – Rathaus Bremen</title>" in html
    assert "Willkommen im Rathaus online" not in html
    # and the switch now offers German
    assert 'name="language" value="de"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "english"),
    [
        ("portal:imprint", "Legal notice"),
        ("portal:privacy", "Log of access to your data"),
        ("portal:accessibility", "Accessibility statement"),
        ("portal:easy_language", "This is the website of the town hall."),
        ("portal:contact", "Questions about a message in the postbox"),
    ],
)
def test_legal_pages_are_translated(url_name, english):
    """Imprint, privacy, accessibility, Easy Read and contact exist in English too."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert english in client.get(reverse(url_name)).content.decode()


@pytest.mark.django_db
def test_unknown_address_gets_the_german_404_page(german_client):
    """A 404 shows the site's own page with a way back, not Django's default."""
    response = german_client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Seite nicht gefunden – Rathaus Bremen</title>" in html
    assert reverse("portal:home") in html


@pytest.mark.django_db
def test_404_page_in_english():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_page_renders_without_a_request():
    """Django renders 500.html with no request context; it must not need one."""
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Technischer Fehler" in html
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.django_db
def test_csrf_failure_explains_what_to_do():
    """A POST without CSRF token gets the friendly "Formular abgelaufen" page (403)."""
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="de")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 403
    assert "Formular abgelaufen" in response.content.decode()


@pytest.mark.django_db
def test_imprint_says_when_no_operator_is_configured(german_client, settings):
    """Without RATHAUS_OPERATOR_NAME the imprint says so instead of inventing an address."""
    settings.RATHAUS_OPERATOR_NAME = ""
    html = german_client.get(reverse("portal:imprint")).content.decode()
    assert "Betreiber nicht eingetragen" in html


@pytest.mark.django_db
def test_imprint_shows_the_configured_operator(german_client, settings):
    settings.RATHAUS_OPERATOR_NAME = "Senatorin für Finanzen"
    settings.RATHAUS_OPERATOR_ADDRESS = "Rudolf-Hilferding-Platz 1\n28195 Bremen"
    settings.RATHAUS_OPERATOR_EMAIL = "office@example.org"
    html = german_client.get(reverse("portal:imprint")).content.decode()
    assert "Senatorin für Finanzen" in html
    assert "Rudolf-Hilferding-Platz 1<br>28195 Bremen" in html
    assert 'href="mailto:office@example.org"' in html


@pytest.mark.django_db
def test_bad_request_gets_the_german_400_page():
    """A request for an unknown host name is refused with the site's own 400 page."""
    response = Client(HTTP_ACCEPT_LANGUAGE="de").get("/", HTTP_HOST="unbekannt.example")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


@pytest.mark.django_db
def test_403_page_explains_missing_permission(rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="de")
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Kein Zugriff" in response.content.decode()


def test_english_dates_put_the_day_first():
    """People in Germany reading English expect 16/05/1994, not the US 05/16/1994."""
    import datetime

    from django.utils import formats, translation

    with translation.override("en"):
        assert formats.date_format(datetime.date(1994, 5, 16), "SHORT_DATE_FORMAT") == "16/05/1994"
    with translation.override("de"):
        assert formats.date_format(datetime.date(1994, 5, 16), "SHORT_DATE_FORMAT") == "16.05.1994"


@pytest.mark.django_db
def test_flash_messages_render_as_kern_alerts(rf):
    """django.contrib.messages appear in the shell as KERN alerts, errors announced as alerts."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.sessions.backends.db import SessionStore
    from django.template import loader

    request = rf.get("/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    messages = [
        Message(constants.SUCCESS, "Ihre Nachricht wurde gesendet."),
        Message(constants.ERROR, "Das hat nicht geklappt."),
    ]
    html = loader.render_to_string("portal/contact.html", {"messages": messages}, request=request)
    assert 'class="kern-alert kern-alert--success app-alert" role="status"' in html
    assert 'class="kern-alert kern-alert--danger app-alert" role="alert"' in html
    assert "Ihre Nachricht wurde gesendet." in html and "Das hat nicht geklappt." in html
