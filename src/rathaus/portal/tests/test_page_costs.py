"""What the start page and "Mein Konto" cost per request (queries), and that the start page's cached
parts follow every published change at once and never carry anything of one visitor to another."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import User
from rathaus.directory import services
from rathaus.directory.models import Office, Service
from rathaus.kernel import notify
from rathaus.registers.models import BirthRecord, Employer, IncomeNotification, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_last_seen")]


@pytest.fixture
def published(django_capture_on_commit_callbacks):
    """An office with two published services and a life situation (through the catalogue import)."""
    document = {
        "format": services.FORMAT,
        "offices": [{"slug": "amt-start", "name": "Amt Start", "kind": "citizens_office"}],
        "services": [
            {"leika_key": "99000000000101", "slug": "hundesteuer", "name": "Hundesteuer anmelden",
             "description": "…", "offices": ["amt-start"], "popularity": 50},
            {"leika_key": "99000000000102", "slug": "anwohnerparken", "name": "Anwohnerparkausweis",
             "description": "…", "offices": ["amt-start"], "popularity": 40},
        ],
        "life_situations": [
            {"slug": "hund", "name": "Ein Hund zieht ein", "services": [{"slug": "hundesteuer"}]},
        ],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_import(document=document, publish=True)


@pytest.fixture
def editors(db):
    return (
        User.objects.create_user(username="redaktion-start-a", kind=User.Kind.STAFF),
        User.objects.create_user(username="redaktion-start-b", kind=User.Kind.STAFF),
    )


def _home(client: Client) -> str:
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    return response.content.decode()


def _csrf_tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))


# --- the start page -----------------------------------------------------------------------------


def test_start_page_reads_the_directory_once_and_then_no_more(client, published, django_assert_num_queries):
    """The services and life situations are read when the cached part is rendered; a later visit
    (anonymous: no session, no user) runs no query at all."""
    assert "Hundesteuer anmelden" in _home(client)
    with django_assert_num_queries(0):
        html = _home(client)
    assert "Hundesteuer anmelden" in html and "Ein Hund zieht ein" in html


def test_start_page_of_a_logged_in_citizen_reads_only_session_and_login(
    published, citizen_client, django_assert_num_queries
):
    _home(citizen_client)  # the first page after login also records the session's last activity
    with django_assert_num_queries(2):  # the session and the user
        assert "Zu Mein Konto" in _home(citizen_client)


def test_a_published_service_shows_on_the_start_page_at_once(
    client, published, editors, django_capture_on_commit_callbacks
):
    editor, reviewer = editors
    assert "Sperrmüll anmelden" not in _home(client)
    service = Service.objects.create(leika_key="99000000000103", name="Sperrmüll anmelden", slug="sperrmuell",
                                     description="…", popularity=90)  # fmt: skip
    service.offices.add(Office.objects.get(slug="amt-start"))
    services.publication_edited(obj=service, by=editor)
    services.publication_review(obj=service, by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_publish(obj=service, by=reviewer)
    assert "Sperrmüll anmelden" in _home(client)


def test_withdrawn_or_edited_entries_leave_the_start_page_at_once(
    client, published, editors, django_capture_on_commit_callbacks
):
    editor, _reviewer = editors
    assert "Anwohnerparkausweis" in _home(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_withdraw(obj=Service.objects.get(slug="anwohnerparken"), by=editor)
    html = _home(client)
    assert "Anwohnerparkausweis" not in html and "Hundesteuer anmelden" in html
    with django_capture_on_commit_callbacks(execute=True):
        services.publication_edited(obj=Service.objects.get(slug="hundesteuer"), by=editor)
    assert "Hundesteuer anmelden" not in _home(client)


def test_an_import_shows_on_the_start_page_at_once(client, published, django_capture_on_commit_callbacks):
    """A new popularity from an import reorders the most used services."""
    html = _home(client)
    assert html.index("Hundesteuer anmelden") < html.index("Anwohnerparkausweis")
    document = {
        "format": services.FORMAT,
        "services": [{"leika_key": "99000000000102", "slug": "anwohnerparken", "name": "Anwohnerparkausweis",
                      "description": "…", "offices": ["amt-start"], "popularity": 99}],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_import(document=document)
    html = _home(client)
    assert html.index("Anwohnerparkausweis") < html.index("Hundesteuer anmelden")


def test_cached_parts_carry_nothing_of_one_visitor_to_the_next(published, citizen_client):
    """The citizen renders the cached parts first; an anonymous visitor then gets the login button,
    no logout form and a CSRF token of their own; the English page is English."""
    citizen_html = _home(citizen_client)
    assert "Zu Mein Konto" in citizen_html and 'class="app-logout"' in citizen_html
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="de")
    html = _home(anonymous)
    assert "Jetzt anmelden" in html and "Zu Mein Konto" not in html
    assert 'class="app-logout"' not in html
    assert _csrf_tokens(html) and not _csrf_tokens(html) & _csrf_tokens(citizen_html)
    english = _home(Client(HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="en"' in english and "Frequently searched" in english
    assert "Häufig gesucht" not in english and "Häufig gesucht" in html


def test_the_cached_navigation_marks_the_page_it_is_on(client, published):
    """The navigation is cached per page: each page marks its own link as the current one."""
    home = _home(client)
    services_page = client.get(reverse("portal:services")).content.decode()
    current = re.compile(r'<a class="app-nav__link" href="([^"]+)" aria-current="page">')
    assert current.findall(home) == [reverse("portal:home")]
    assert current.findall(services_page) == [reverse("portal:services")]


# --- Mein Konto ---------------------------------------------------------------------------------


def _account_queries(client: Client, django_assert_num_queries, count: int) -> str:
    client.get(reverse("portal:account"))  # the first page after login records the last activity
    with django_assert_num_queries(count):
        response = client.get(reverse("portal:account"))
    assert response.status_code == 200
    return response.content.decode()


def test_mein_konto_runs_seven_queries(resident, resident_client, django_assert_num_queries):
    """Session, login, the people of the overview, incomes, pensions, the postbox with its unread
    count, the appointments: seven queries, however large the family and the postbox."""
    html = _account_queries(resident_client, django_assert_num_queries, 7)
    assert resident.family_name in html


def test_mein_konto_queries_do_not_grow_with_family_income_and_postbox(
    resident, resident_client, django_assert_num_queries
):
    office = Office.objects.create(slug="standesamt-kosten", name="Standesamt", kind="registry_office")
    employer = Employer.objects.create(name="Bremer Werft GmbH", city="Bremen")
    wage, tax = Decimal("30000.00"), Decimal("4000.00")
    for year in (2019, 2020, 2021):
        IncomeNotification.objects.create(person=resident, employer=employer, year=year, gross_wage=wage,
                                          wage_tax=tax)  # fmt: skip
    for number in range(3):
        child = Person.objects.create(register_number=f"HBK{number:09d}", family_name=resident.family_name,
                                      given_names=f"Kind{number}", date_of_birth=dt.date(2010 + number, 1, 1),
                                      sex="x", household=resident.household)  # fmt: skip
        BirthRecord.objects.create(child=child, mother=resident, date=child.date_of_birth, place="Bremen",
                                   registry_office=office, record_number=f"G {number}")  # fmt: skip
    user = resident.account
    for number in range(4):
        notify.postbox_send(recipient=user, subject=f"Bescheid {number}", body="…", sender_label="Amt",
                            notify_by_email=False)  # fmt: skip
    html = _account_queries(resident_client, django_assert_num_queries, 7)
    assert "Kind2" in html and "Bremer Werft GmbH" in html and "Bescheid 3" in html
    assert "Sie haben 4 ungelesene Nachrichten." in html


def test_mein_konto_shows_the_newest_messages_and_counts_all_unread(resident, resident_client):
    user = resident.account
    sent = [
        notify.postbox_send(recipient=user, subject=f"Nachricht {n}", body="…", sender_label="Amt",
                            notify_by_email=False)
        for n in range(7)
    ]  # fmt: skip
    notify.postbox_mark_read(message=sent[6], by=user)
    html = resident_client.get(reverse("portal:account")).content.decode()
    assert "Sie haben 6 ungelesene Nachrichten." in html
    shown = re.findall(r">Nachricht (\d)</a>", html)
    assert shown == ["6", "5", "4", "3", "2"]
