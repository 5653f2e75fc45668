"""XML attacks on every XML entry point over HTTP (ASVS 5.0 V1.5.1/V5): the e-invoice API, the
e-invoice upload page and the bank statement (camt) upload. Each refuses DOCTYPEs, external
entities, entity expansion and parameter-entity XXE with a 4xx (never a 500), stores nothing
and echoes no file content (an e-invoice is kept as a rejected submission, by design).
The parser itself: kernel/tests/test_xmlsafe.py."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services as account_services
from rathaus.accounts.models import Organisation, User
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel.testing import log_in_staff

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "xxe-file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>',
    "xxe-http": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
    b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&x;</Document>',
    "billion-laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
    + b"".join(b'<!ENTITY %c "%s">' % (ord("b") + i, (b"&%c;" % (ord("a") + i)) * 10) for i in range(8))
    + b']><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&i;</Invoice>',
    "parameter-entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/hostname"> %p;]>'
    b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>',
    "xinclude": b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    b'xmlns:xi="http://www.w3.org/2001/XInclude">'
    b'<xi:include href="file:///etc/passwd" parse="text"/></Invoice>',
    "utf7-doctype": b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE r+AD4-<r/>',
    "deep-nesting": b"<a>" * 50_000 + b"</a>" * 50_000,
}


def _assert_refused(response) -> None:
    body = response.content.decode(errors="replace")
    assert 400 <= response.status_code < 500 or (response.status_code == 200 and "Fehler" in body), (
        response.status_code
    )
    assert "root:" not in body  # no /etc/passwd content echoed


@pytest.fixture
def supplier():
    organisation = account_services.organisation_create(name="XML Probe GmbH", kind=Organisation.Kind.COMPANY)
    return User.objects.create_user(
        username="xmlprobe", kind=User.Kind.ORGANISATION, organisation=organisation
    )


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_einvoice_api_refuses_hostile_xml(supplier, payload):
    _t, token = account_services.api_token_issue(owner=supplier, name="ERP", scopes=["einvoice:submit"])
    response = Client().post(
        "/api/v1/einvoices",
        PAYLOADS[payload],
        content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert 400 <= response.status_code < 500, response.status_code
    assert "root:" not in response.content.decode(errors="replace")
    # nothing a supplier sends is dropped: kept as a rejected submission, never accepted
    assert not InboundInvoice.objects.exclude(status=InboundInvoice.Status.REJECTED).exists()


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_einvoice_upload_page_refuses_hostile_xml(supplier, payload):
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    client.force_login(supplier)
    upload = io.BytesIO(PAYLOADS[payload])
    upload.name = "rechnung.xml"
    response = client.post(reverse("einvoice_intake:upload"), {"file": upload})
    assert response.status_code < 500
    assert "root:" not in response.content.decode(errors="replace")
    # nothing a supplier sends is dropped: kept as a rejected submission, never accepted
    assert not InboundInvoice.objects.exclude(status=InboundInvoice.Status.REJECTED).exists()


@pytest.mark.parametrize("payload", PAYLOADS, ids=list(PAYLOADS))
def test_camt_upload_refuses_hostile_xml(payload):
    from rathaus.payments.models import BankCredit
    from rathaus.payments.tests.factories import setup_payments

    offices = setup_payments()
    clerk = account_services.staff_user_create(
        username="kasse-xml",
        full_name="Kai Kasse",
        password="x" * 20,
        office=offices["cash"],
        role="sachbearbeitung",
    )
    client = log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), clerk)
    upload = io.BytesIO(PAYLOADS[payload])
    upload.name = "auszug.xml"
    response = client.post(reverse("payments:staff-camt"), {"file": upload}, follow=True)
    assert response.status_code < 500
    assert "root:" not in response.content.decode(errors="replace")
    assert BankCredit.objects.count() == 0
