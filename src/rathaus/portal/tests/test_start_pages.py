"""Every kind of login lands on "Mein Konto", a start page that shows what it may do:
citizens their data and postbox, organisations their e-invoices, staff their work areas
(only those their roles open) with what waits for them."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts import services as account_services
from rathaus.accounts.models import StaffRole, User
from rathaus.directory.models import Office
from rathaus.efile import services as efile_services
from rathaus.efile.tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _german_again_afterwards():
    """A request in English leaves English active in this thread (LocaleMiddleware does not
    reset it); later tests that render without a request expect the default language."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


PASSWORD = "Weserpromenade-1827"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def _office(slug: str = "buergeramt-mitte", name: str = "Bürgeramt Mitte", **extra) -> Office:
    return Office.objects.create(slug=slug, name=name, **extra)


def _staff(office: Office, role: str = StaffRole.Role.SACHBEARBEITUNG, username: str = "f.tietjen") -> User:
    return account_services.staff_user_create(
        username=username,
        full_name="Frauke Tietjen",
        password=PASSWORD,
        office=office,
        role=role,
        totp_secret=TOTP_SECRET,
    )


def _log_in_staff(client: Client, user: User):
    """Password, then the TOTP code, as on the login pages; returns the last response."""
    response = client.post(reverse("accounts:staff-login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"] == reverse("accounts:staff-otp")
    device = TOTPDevice.objects.get(user=user)
    return client.post(reverse("accounts:staff-otp"), {"token": f"{totp(device.bin_key):06d}"})


def _nav(html: str) -> str:
    start = html.index('aria-label="Arbeitsbereiche"')
    return html[start : html.index("</nav>", start)]


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="de")


def test_supplier_login_lands_on_its_start_page_not_on_a_403(client):
    organisation = account_services.organisation_create(name="Bürobedarf Nord GmbH", kind="company")
    supplier = account_services.organisation_user_create(
        organisation=organisation,
        username="lieferant",
        full_name="Demo Lieferant",
        email="rechnung@buerobedarf.example",
        password=PASSWORD,
        by=None,
    )
    response = client.post(
        reverse("accounts:staff-login"), {"username": supplier.username, "password": PASSWORD}
    )
    assert response["Location"] == reverse("portal:account")
    response = client.get(response["Location"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Angemeldet als Demo Lieferant für Bürobedarf Nord GmbH." in html
    assert f'href="{reverse("einvoice_intake:upload")}"' in html
    assert f'href="{reverse("einvoice_intake:mine")}"' in html
    # The old staff page no longer dead-ends either: it leads to the same start page.
    assert client.get(reverse("accounts:staff-home"))["Location"] == reverse("portal:account")


def test_staff_login_lands_on_their_work_areas_with_counts(client):
    office = _office()
    clerk = _staff(office)
    case = make_case(office)
    efile_services.case_assign(case=case, assignee=clerk, by=clerk)
    response = _log_in_staff(client, clerk)
    assert response["Location"] == reverse("portal:account")
    html = client.get(reverse("portal:account")).content.decode()
    assert '<h1 class="kern-heading-x-large">Meine Arbeit</h1>' in html
    assert "für Bürgerinnen und Bürger" not in html
    nav = _nav(html)
    for label, url in (
        ("E-Akte", reverse("efile:inbox")),
        ("E-Rechnung", reverse("einvoice:staff-inbox")),
        ("Kasse", reverse("payments:staff")),
        ("Archiv", reverse("efile_archive:list")),
    ):
        assert f'href="{url}"' in nav and f">{label}</a>" in nav
    # No appointment plan in this office: no Termine.
    assert reverse("appointments:staff") not in nav
    assert (
        '<span class="app-queue__count">1</span> <span class="app-queue__label">Meine offenen Vorgänge'
        in html
    )


def test_the_staff_navigation_marks_the_current_work_area(client):
    clerk = _staff(_office())
    _log_in_staff(client, clerk)
    nav = _nav(client.get(reverse("efile:inbox")).content.decode())
    assert f'href="{reverse("efile:inbox")}" aria-current="page">E-Akte</a>' in nav


def test_an_office_administrator_gets_no_work_area_of_the_office(client):
    """Administrators manage logins; they do not work on the office's matters."""
    admin = _staff(_office(), role=StaffRole.Role.ADMIN)
    _log_in_staff(client, admin)
    html = client.get(reverse("portal:account")).content.decode()
    assert 'aria-label="Arbeitsbereiche"' not in html
    assert "Noch kein Arbeitsbereich" in html
    assert "Administration" in html  # the role is listed


def test_archive_staff_see_the_archive_area(client):
    archive = _office(slug="landesarchiv", name="Staatsarchiv Bremen", kind=Office.Kind.ARCHIVE)
    archivist = _staff(archive, role=StaffRole.Role.ADMIN, username="archiv")
    _log_in_staff(client, archivist)
    nav = _nav(client.get(reverse("portal:account")).content.decode())
    assert f'href="{reverse("efile_archive:list")}"' in nav
    assert f'href="{reverse("efile:inbox")}"' not in nav


def test_a_staff_session_without_the_second_factor_is_sent_to_the_staff_login(client):
    clerk = _staff(_office())
    client.force_login(clerk, backend="rathaus.accounts.backends.PasswordBackend")
    response = client.get(reverse("portal:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff-login"))


def test_citizens_see_the_public_navigation(citizen_client):
    html = citizen_client.get(reverse("portal:account")).content.decode()
    assert 'aria-label="Hauptnavigation"' in html
    assert 'aria-label="Arbeitsbereiche"' not in html


def test_the_staff_start_page_in_english_marks_german_office_names(client):
    clerk = _staff(_office())
    _log_in_staff(client, clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("portal:account")).content.decode()
    assert '<html lang="en"' in html
    assert '<td class="kern-table__cell" lang="de">Bürgeramt Mitte</td>' in html
