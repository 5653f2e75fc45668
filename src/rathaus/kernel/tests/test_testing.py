"""The shared test support: staff sessions with the second factor, and test PDFs."""

import io

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from rathaus.accounts import services as account_services
from rathaus.directory.models import Office
from rathaus.kernel import testing

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def _staff(**options):
    return account_services.staff_user_create(
        username="t.tester",
        full_name="Tara Tester",
        password="Pruefung-2026-sicher!",
        office=Office.objects.create(slug="testamt", name="Testamt"),
        role="sachbearbeitung",
        **options,
    )


@pytest.mark.django_db
def test_a_staff_client_passed_the_second_factor_and_reaches_the_staff_pages(client):
    # given a clerk without a TOTP device
    clerk = _staff()
    # when the test logs the clerk in
    testing.log_in_staff(client, clerk)
    # then the staff pages open and the session names the clerk's new device
    assert client.get(reverse("portal:account")).status_code == 200
    device = TOTPDevice.objects.get(user=clerk)
    assert client.session["otp_device_id"] == device.persistent_id


@pytest.mark.django_db
def test_a_staff_login_keeps_the_device_the_clerk_already_has(client):
    clerk = _staff(totp_secret=TOTP_SECRET)
    testing.log_in_staff(client, clerk)
    testing.log_in_staff(client, clerk)
    assert TOTPDevice.objects.filter(user=clerk).count() == 1


@pytest.mark.django_db
def test_without_the_second_factor_the_staff_login_asks_for_it(client):
    testing.log_in(client, _staff())
    response = client.get(reverse("portal:account"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:staff-login"))


@pytest.mark.django_db
def test_a_session_key_carries_the_login_to_another_client():
    clerk = _staff()
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = testing.session_key(clerk, second_factor=True)
    assert browser.get(reverse("portal:account")).status_code == 200


def test_make_pdf_shows_its_text_and_gives_the_same_bytes_for_the_same_arguments():
    pdf = testing.make_pdf("Antrag Becker", pages=3)
    reader = PdfReader(io.BytesIO(pdf))
    assert [page.extract_text() for page in reader.pages] == ["Antrag Becker"] * 3
    assert pdf == testing.make_pdf("Antrag Becker", pages=3)
    assert testing.make_pdf(title="eins") != testing.make_pdf(title="zwei")
    assert PdfReader(io.BytesIO(testing.make_pdf())).pages[0].extract_text() == ""
    assert PdfReader(io.BytesIO(testing.make_pdf(password="geheim"))).is_encrypted
