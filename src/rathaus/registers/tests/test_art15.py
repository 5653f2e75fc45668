"""The Art. 15 DSGVO copy in the Datenschutzcockpit: everything Rathaus holds about the citizen,
from every app, and nothing about anyone else (issue 15)."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rathaus.accounts.models import User
from rathaus.appointments.models import Appointment
from rathaus.efile.tests.factories import make_case
from rathaus.efile.tests.factories import make_office as make_efile_office
from rathaus.kernel import notify
from rathaus.payments.models import Claim
from rathaus.registers import services

from .factories import exchange_world

pytestmark = pytest.mark.django_db
CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"


def _citizen(person, name: str) -> tuple[User, Client]:
    user = User.objects.create_user(
        username=name, email=f"{name}@example.org", kind=User.Kind.CITIZEN, person=person
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(user, backend=CITIZEN_BACKEND)
    return user, client


def _holdings(world, user, person, tag: str) -> None:
    """One record of each app about ``user``/``person``, each naming ``tag``."""
    office = make_efile_office()
    make_case(office, subject=f"Wohngeld {tag}", person=person)
    Appointment.objects.create(
        office=office, code=f"T{tag[:8]}", link_nonce="n" * 32, user=user, name=f"Termin {tag}",
        start=timezone.now() - datetime.timedelta(days=30), status=Appointment.Status.DONE,
    )  # fmt: skip
    Claim.objects.create(
        kassenzeichen=f"K{tag[:10]}", office=office, debtor=user, debtor_name=tag,
        purpose=f"Gebühr {tag}", amount=Decimal("12.50"), due_on=datetime.date(2026, 2, 1),
    )  # fmt: skip
    notify.postbox_send(
        recipient=user, subject=f"Bescheid {tag}", body="Guten Tag", sender_label="Bürgeramt Mitte",
        notify_by_email=False,
    )  # fmt: skip
    services.exchange_request(
        requesting_office=world.finanzamt, person_id=person.pk, fields=["name"],
        purpose=f"Prüfung {tag}", legal_basis_id="bmg-34-grunddaten",
    )  # fmt: skip


def test_the_copy_holds_the_data_of_every_app_and_only_the_own():
    world = exchange_world()
    mother, client = _citizen(world.mother, "maren")
    child, _other = _citizen(world.child, "jonte")
    _holdings(world, mother, world.mother, "MAREN")
    _holdings(world, child, world.child, "JONTE")
    services.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by="test")
    # when
    response = client.get(reverse("registers:art15-json"))
    # then
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="meine-daten-art15-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["format"] == "rathaus-auskunft-art15/1"
    assert data["account"]["username"] == "maren"
    assert data["register"]["register_number"] == "HBX1" and data["register"]["name"] == "Maren Ahlers"
    assert data["register"]["children"][0]["name"] == "Jonte Ahlers"
    assert data["consents"][0]["to_office"] == "Amt für Versorgung und Integration Bremen"
    assert [e["purpose"] for e in data["exchanges"]] == ["Prüfung MAREN"]
    assert [c["subject"] for c in data["cases"]] == ["Wohngeld MAREN"]
    assert [a["name"] for a in data["appointments"]] == ["Termin MAREN"]
    assert [(c["purpose"], c["amount"]) for c in data["payment_claims"]] == [("Gebühr MAREN", "12.50")]
    assert [m["subject"] for m in data["postbox"]] == ["Bescheid MAREN"]
    assert "JONTE" not in response.content.decode()


def test_the_copy_as_pdf_is_german_and_names_each_section():
    world = exchange_world()
    user, client = _citizen(world.mother, "maren")
    _holdings(world, user, world.mother, "MAREN")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    # when
    response = client.get(reverse("registers:art15-pdf"))
    # then
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for words in ("Art. 15 DSGVO", "Maren Ahlers", "Wohngeld MAREN", "Termin MAREN", "Gebühr MAREN",
                  "12,50", "Bescheid MAREN", "Prüfung MAREN", "Vorgänge in der E-Akte"):  # fmt: skip
        assert words in text, words


def test_the_cockpit_links_to_the_copy():
    world = exchange_world()
    _user, client = _citizen(world.mother, "maren")
    page = client.get(reverse("registers:cockpit")).content.decode()
    assert "Alle meine Daten (Art. 15 DSGVO)" in page
    assert reverse("registers:art15-json") in page and reverse("registers:art15-pdf") in page


def test_anonymous_visitors_and_accounts_without_person_get_no_copy():
    for name in ("registers:art15-json", "registers:art15-pdf"):
        assert Client().get(reverse(name)).status_code == 302
    organisation = User.objects.create_user(username="org", kind=User.Kind.ORGANISATION)
    client = Client()
    client.force_login(organisation)
    assert client.get(reverse("registers:art15-json")).status_code == 403
