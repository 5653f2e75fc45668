"""IDOR (ASVS 5.0 V8.2.2/V8.2.3): every object URL and API route with an id in its path
refuses another owner's object. Citizens get 404 (not 403: the object's existence is not
told); staff of another office get 403 or 404; API tokens of another office or organisation
get 404.

``test_every_object_route_is_covered`` is the sweep: each URL pattern with a path parameter
must be probed below or listed in ``NOT_OWNED`` with the reason it holds no one's object —
a new app's object URLs fail that test until someone decides which it is.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts import services as account_services
from rathaus.accounts.models import EidasLevel, Organisation, User
from rathaus.accounts.selectors import EIDAS_SESSION_KEY
from rathaus.directory.models import Office
from rathaus.kernel import blobs, notify
from rathaus.kernel.testing import log_in, log_in_staff

from .urlsweep import all_routes

pytestmark = pytest.mark.django_db

CITIZEN_BACKEND = "rathaus.accounts.backends.OidcBackend"
PASSWORD = "Sicherheit-2026-Prüfung!"

# URL patterns with a path parameter that hold no one's object, each with the reason.
NOT_OWNED = {
    "portal:service": "public catalogue of services",
    "portal:office": "public catalogue of offices",
    "portal:life_situation": "public catalogue of life situations",
    "cadastre:parcel": "public cadastral map (parcels are public record)",
    "cadastre:order-create": "orders a public parcel for oneself",
    "eforms:start": "public start page of an online form (the form's id, no one's object)",
    "eforms:begin": "starts the caller's own draft of a public form",
    "appointments:call-display": "public waiting-room display (call numbers only, no names)",
    "payments:return": "return from the payment provider: shows only the own session's payment",
    "payments:sandbox-pay": "sandbox provider page: the transaction id is the capability (demo only)",
    "api:sandbox_create": "sandbox provider API: the originator's own transactions (demo only)",
    "api:sandbox_get": "sandbox provider API: transaction id is the capability (demo only)",
    "api:not-found": "catch-all problem+json 404",
    "set_language": "no object",
    # Capability links: the secret in the address is the authorisation (HMAC over id and a
    # random nonce); probed below with a forged MAC and another appointment's id.
    "appointments:manage": "capability link, see test_appointment_links_*",
    "appointments:contact": "capability link, see test_appointment_links_*",
    "appointments:confirm-account": "capability link, see test_appointment_links_*",
    "appointments:ics": "capability link, see test_appointment_links_*",
    "appointments:cancel": "capability link, see test_appointment_links_*",
    "appointments:move": "capability link, see test_appointment_links_*",
    "appointments:verify": "capability link, see test_appointment_links_*",
    "api:booking_detail": "capability link, see test_appointment_links_*",
    # Office-scoped staff read: another office's staff, an office administrator and an
    # organisation get 404 and an access.denied entry (appointments/tests/test_day_list_outside.py).
    "api:office_day": "office-scoped, probed in appointments/tests/test_day_list_outside.py",
    "api:booking_cancel": "capability link, see test_appointment_links_*",
    "api:booking_contact": "capability link, see test_appointment_links_*",
    "api:booking_move": "capability link, see test_appointment_links_*",
    # Register-office-scoped: the register offices keep the register of the whole city; staff of
    # other offices get 403, a decision outside the correction's office is refused
    # (registers/tests/test_staff_views.py, test_changes.py); each read is audit-logged.
    "register:person": "register offices only, see registers/tests/test_staff_views.py",
    "register:correction-propose": "register offices only, see registers/tests/test_changes.py",
    "register:move": "residence registration office only, see registers/tests/test_changes.py",
    "register:death": "registry office only, see registers/tests/test_staff_views.py",
    "register:correction-approve": "the correction's office only, see registers/tests/test_changes.py",
    "register:correction-reject": "the correction's office only, see registers/tests/test_changes.py",
}

# Routes probed by the tests below (URL name → test).
PROBED = {
    "payments:claim",
    "payments:pay",
    "payments:claim-pdf",
    "payments:receipt-pdf",
    "cadastre:order",
    "cadastre:order-file",
    "portal:postbox_message",
    "portal:postbox_attachment",
    "einvoice_intake:invoice",
    "einvoice_intake:invoice-pdf",
    "einvoice_intake:invoice-original",
    "einvoice_intake:invoice-attachment",
    "efile:case-detail",
    "efile:document-upload",
    "efile:scan-upload",
    "efile:document-ocr-retry",
    "efile:case-note",
    "efile:bescheid-issue",
    "efile:case-close",
    "efile:case-forward",
    "efile:case-assign",
    "efile:case-confidentiality",
    "efile:case-resubmission",
    "efile:version-download",
    "efile:version-page",
    "einvoice:staff-detail",
    "einvoice:staff-original",
    "einvoice:staff-approve-factual",
    "einvoice:staff-approve-arithmetic",
    "einvoice:staff-order-payment",
    "einvoice:staff-decline",
    "einvoice:staff-mark-paid",
    "einvoice:staff-file",
    "einvoice:staff-export-download",
    "einvoice:staff-route-edit",
    "payments:staff-claim",
    "payments:staff-refund",
    "payments:staff-refund-decide",
    "payments:staff-credit-assign",
    "appointments:staff-outcome",
    "efile_archive:detail",
    "efile_archive:evaluate",
    "efile_archive:transfer",
    "efile_archive:receipt",
    "efile_archive:delete",
    "efile_archive:download",
    "api:case_get",
    "api:case_list",
    "api:document_list",
    "api:document_post",
    "api:einvoice_get",
    "api:claim_get",
    "api:claim_cancel",
    "api:refund_post",
    "api_tokens:revoke",
    "registers:consent-withdraw",
    "registers:offer-accept",
    "registers:offer-decline",
    "exchange_desk:decide",
    "exchange_desk:release",
    "exchange_desk:refuse",
    "api:exchange_status",
    "eforms:application",
    "eforms:summary",
    "eforms:step",
    "eforms:answer",
    "eforms:staff-application",
    "eforms:staff-request",
    "eforms:staff-decide",
    "taxoffice:mine-detail",
    "taxoffice:staff-return",
    "taxoffice:staff-status",
}


def test_every_object_route_is_covered():
    with_parameters = {
        route.name
        for route in all_routes()
        if ("<" in route.route or "(?P" in route.route) and not route.name.startswith("admin:")
    }
    # admin: staff with is_staff only, behind password + TOTP; Django's admin checks model
    # permissions per object type (docs/security.md, V8).
    assert sorted(with_parameters - set(NOT_OWNED) - PROBED) == []


# --- helpers ------------------------------------------------------------------------------


def _citizen(name: str) -> User:
    from rathaus.registers.models import Person

    person = Person.objects.create(
        register_number=f"HBS{abs(hash(name)) % 10**9:09d}",
        family_name=name,
        given_names="Sicher",
        date_of_birth=datetime.date(1980, 1, 1),
        sex="w",
    )
    return User.objects.create_user(username=f"sec-{name}", kind=User.Kind.CITIZEN, person=person)


def _citizen_client(user: User) -> Client:
    """A citizen logged in with the Online-Ausweis (eIDAS high): every service's level is met, so
    what a probe meets is the ownership check alone."""
    session = {EIDAS_SESSION_KEY: EidasLevel.HIGH}
    return log_in(Client(HTTP_ACCEPT_LANGUAGE="de"), user, backend=CITIZEN_BACKEND, session=session)


def _staff(office: Office, name: str, role: str = "sachbearbeitung") -> User:
    return account_services.staff_user_create(
        username=name, full_name=f"Staff {name}", password=PASSWORD, office=office, role=role
    )


def _staff_client(user: User) -> Client:
    return log_in_staff(Client(HTTP_ACCEPT_LANGUAGE="de"), user)


def _token(owner: User, scopes: list[str]) -> dict:
    _t, plaintext = account_services.api_token_issue(owner=owner, name="Fremdverfahren", scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {plaintext}"}


def _statuses(client: Client, requests: list[tuple[str, str]], **extra) -> dict[str, int]:
    out = {}
    for method, url in requests:
        response = getattr(client, method)(url, **extra)
        if response.streaming:
            b"".join(response.streaming_content)

        out[f"{method.upper()} {url}"] = response.status_code
    return out


# --- citizens: B gets 404 for A's objects --------------------------------------------------


@pytest.fixture
def payments_setup():
    from rathaus.cadastre import services as cadastre
    from rathaus.payments.tests.factories import setup_payments

    offices = setup_payments()
    cadastre.parcels_ensure(seed=1)
    return offices


def test_citizen_b_gets_404_for_a_s_claims_orders_receipts(payments_setup):
    from rathaus.cadastre import services as cadastre
    from rathaus.cadastre.models import Parcel
    from rathaus.payments import sandbox, services

    owner, other = _citizen("Anna"), _citizen("Bernd")
    order = cadastre.order_create(parcel=Parcel.objects.first(), citizen=owner)
    claim = services.claim_create(
        office=payments_setup["geo"],
        purpose="Auszug",
        debtor_name="Anna",
        debtor=owner,
        amount=Decimal("20.00"),
    )
    payment = services.payment_start(claim=claim, by=owner)
    sandbox.transaction_decide(transaction_id=payment.transaction_id, approve=True)
    kz = claim.kassenzeichen
    urls = [
        ("get", reverse("payments:claim", args=[kz])),
        ("post", reverse("payments:pay", args=[kz])),
        ("get", reverse("payments:claim-pdf", args=[kz])),
        ("get", reverse("payments:receipt-pdf", args=[kz, payment.pk])),
        ("get", reverse("payments:claim", args=[order.claim.kassenzeichen])),
        ("get", reverse("cadastre:order", args=[order.pk])),
        ("get", reverse("cadastre:order-file", args=[order.pk, "auszug"])),
        ("get", reverse("cadastre:order-file", args=[order.pk, "quittung"])),
    ]
    # the owner reaches them (the probe addresses are real)
    owner_view = _statuses(_citizen_client(owner), urls[:4])
    assert all(code in (200, 302, 409) for code in owner_view.values()), owner_view  # 409: paid already
    foreign = _statuses(_citizen_client(other), urls)
    assert set(foreign.values()) == {404}, foreign


def test_citizen_b_gets_404_for_a_s_postbox_message_and_attachment():
    from rathaus.efile.tests.factories import make_pdf

    owner, other = _citizen("Carla"), _citizen("Dieter")
    blob = blobs.store(content=make_pdf("Bescheid"), filename="bescheid.pdf")
    message = notify.postbox_send(
        recipient=owner,
        subject="Ihr Bescheid",
        body="Anbei",
        sender_label="Bürgeramt",
        attachments=[("bescheid.pdf", blob)],
        notify_by_email=False,
    )
    attachment = message.attachments.get()
    urls = [
        ("get", reverse("portal:postbox_message", args=[message.pk])),
        ("get", reverse("portal:postbox_attachment", args=[message.pk, attachment.pk])),
    ]
    assert set(_statuses(_citizen_client(owner), urls).values()) == {200}
    foreign = _statuses(_citizen_client(other), urls)
    assert set(foreign.values()) == {404}, foreign
    # and B's own account page and postbox show nothing of A's
    page = _citizen_client(other).get(reverse("portal:postbox")).content.decode()
    assert "Ihr Bescheid" not in page
    account = _citizen_client(other).get(reverse("portal:account")).content.decode()
    assert "Carla" not in account


def test_citizen_b_gets_404_for_a_s_consent_and_sees_none_of_a_s_exchanges():
    from rathaus.registers import services as registers
    from rathaus.registers.models import Consent
    from rathaus.registers.tests.factories import exchange_world

    world = exchange_world()
    owner = User.objects.create_user(username="sec-maren", kind=User.Kind.CITIZEN, person=world.mother)
    other = _citizen("Edda")
    consent = registers.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by=owner)
    registers.exchange_request(
        requesting_office=world.elterngeldstelle, person_id=world.mother.pk, fields=["children"],
        purpose="Elterngeld Ahlers", consent_id=consent.pk,
    )  # fmt: skip
    withdraw = reverse("registers:consent-withdraw", args=[consent.pk])
    assert _citizen_client(other).post(withdraw).status_code == 404
    assert _citizen_client(other).post(reverse("registers:consent-withdraw", args=[10**9])).status_code == 404
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None
    # B's own pages and downloads show nothing of A's
    for name in ("registers:consents", "registers:cockpit", "registers:cockpit-json"):
        assert "Ahlers" not in _citizen_client(other).get(reverse(name)).content.decode()
    # the owner reaches it (the probe address is real)
    assert _citizen_client(owner).post(withdraw).status_code == 302
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is not None


def test_citizen_b_cannot_accept_or_decline_a_s_proactive_offer_nor_see_it():
    from rathaus.efile.models import Case
    from rathaus.registers import services as registers
    from rathaus.registers.models import ProactiveOffer
    from rathaus.registers.tests.factories import exchange_world

    world = exchange_world()
    owner = User.objects.create_user(username="sec-maren", kind=User.Kind.CITIZEN, person=world.mother)
    other = _citizen("Edda")
    registers.event_record(kind="birth_registered", person=world.child, occurred_on=world.child.date_of_birth)
    offer = ProactiveOffer.objects.get(person=world.mother, rule_id="elterngeld")
    for name in ("registers:offer-accept", "registers:offer-decline"):
        assert _citizen_client(other).post(reverse(name, args=[offer.pk])).status_code == 404
        assert _citizen_client(other).post(reverse(name, args=[10**9])).status_code == 404
    assert ProactiveOffer.objects.get(pk=offer.pk).status == ProactiveOffer.Status.OFFERED
    assert not Case.objects.exists()
    assert "Elterngeld" not in _citizen_client(other).get(reverse("registers:offers")).content.decode()
    # the owner reaches it (the probe address is real)
    assert _citizen_client(owner).post(reverse("registers:offer-accept", args=[offer.pk])).status_code == 302
    assert Case.objects.filter(person=world.mother).count() == 1


def test_the_art15_copy_holds_only_the_own_data_whatever_the_address_says():
    from rathaus.registers import services as registers
    from rathaus.registers.tests.factories import exchange_world

    world = exchange_world()
    owner = User.objects.create_user(username="sec-maren", kind=User.Kind.CITIZEN, person=world.mother)
    other = _citizen("Edda")
    registers.consent_give(person_id=world.mother.pk, basis_id="beeg-25-geburt", by=owner)
    notify.postbox_send(
        recipient=owner, subject="Bescheid Ahlers", body="Vertraulich", sender_label="Bürgeramt Mitte",
        notify_by_email=False,
    )  # fmt: skip
    from pypdf import PdfReader

    def copy(user: User, name: str) -> str:
        # A's ids in the query string change nothing: whose data is the login's
        url = f"{reverse(name)}?person={world.mother.pk}&person_id={world.mother.pk}&user={owner.pk}"
        response = _citizen_client(user).get(url)
        assert response.status_code == 200
        if name.endswith("pdf"):
            return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        return response.content.decode()

    for name in ("registers:art15-json", "registers:art15-pdf"):
        assert "Ahlers" not in copy(other, name) and "HBX1" not in copy(other, name)
        # the owner's copy holds them (the probe is real)
        assert "Bescheid Ahlers" in copy(owner, name) and "HBX1" in copy(owner, name)


def test_appointment_links_with_a_forged_or_transplanted_mac_are_404():
    from rathaus.appointments import tokens
    from rathaus.appointments.tests.factories import confirmed, local, planned_office

    planned = planned_office()
    mine = confirmed(planned, local(2026, 12, 2, 9, 0))
    theirs = confirmed(planned, local(2026, 12, 2, 10, 0), email="b@example.org")
    token = tokens.link_token(mine)
    transplanted = f"{theirs.pk}-{token.split('-', 1)[1]}"  # my MAC on their id
    forged = f"{mine.pk}-{'A' * 43}"
    probes = []
    for bad in (transplanted, forged):
        for name in ("manage", "contact", "confirm-account", "ics", "cancel", "move", "verify"):
            probes.append(("get", reverse(f"appointments:{name}", args=[bad])))
            probes.append(("post", reverse(f"appointments:{name}", args=[bad])))
        probes.append(("get", f"/api/v1/appointments/bookings/{bad}"))
        probes.append(("delete", f"/api/v1/appointments/bookings/{bad}"))
        probes.append(("post", f"/api/v1/appointments/bookings/{bad}/contact"))
        probes.append(("post", f"/api/v1/appointments/bookings/{bad}/move"))
    booker = User.objects.create_user(
        username="buchungsportal",
        kind=User.Kind.ORGANISATION,
        organisation=account_services.organisation_create(name="Portal GmbH", kind=Organisation.Kind.COMPANY),
    )
    statuses = _statuses(Client(), probes, **_token(booker, ["appointments:book"]))
    # A POST without a body is refused by validation (400) before any lookup, for every token
    # alike; everything else must be 404 (405: a page that only takes the other method).
    wrong = {
        k: v
        for k, v in statuses.items()
        if not (v == 404 or (v == 405 and "/api/" not in k) or (v == 400 and k.startswith("POST /api/")))
    }
    assert wrong == {}
    assert Client().get(reverse("appointments:manage", args=[token])).status_code == 200


@pytest.fixture
def einvoice_setup():
    from rathaus.einvoice.tests.conftest import LEITWEG_ID, make_supplier, suite_file
    from rathaus.einvoice.tests.workflow_helpers import receive

    office = Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id=LEITWEG_ID)
    supplier = make_supplier()
    other_supplier = make_supplier("Konkurrenz Süd GmbH")
    invoice = receive(suite_file("business-cases/standard/01.04a-INVOICE_ubl.xml"), supplier)
    return office, supplier, other_supplier, invoice


def test_supplier_b_gets_404_for_a_s_invoice(einvoice_setup):
    _office, supplier, other_supplier, invoice = einvoice_setup
    urls = [
        ("get", reverse("einvoice_intake:invoice", args=[invoice.pk])),
        ("get", reverse("einvoice_intake:invoice-pdf", args=[invoice.pk])),
        ("get", reverse("einvoice_intake:invoice-original", args=[invoice.pk])),
        ("get", reverse("einvoice_intake:invoice-attachment", args=[invoice.pk, 1])),
    ]
    owner = _citizen_client(supplier)
    assert owner.get(urls[0][1]).status_code == 200
    foreign = _statuses(_citizen_client(other_supplier), urls)
    assert set(foreign.values()) == {404}, foreign
    api = Client().get(f"/api/v1/einvoices/{invoice.pk}", **_token(other_supplier, ["einvoice:submit"]))
    assert api.status_code == 404


# --- staff: a clerk of office Y cannot see or change office X's objects -----------------


def _refused(statuses: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in statuses.items() if v not in (403, 404)}


def test_clerk_of_another_office_cannot_open_or_change_an_efile_case():
    from rathaus.efile import services
    from rathaus.efile.tests.factories import make_case, make_pdf

    office_x, office_y = Office.objects.create(slug="x", name="X"), Office.objects.create(slug="y", name="Y")
    clerk_x, clerk_y = _staff(office_x, "clerk-x"), _staff(office_y, "clerk-y")
    case = make_case(office_x, subject="Geheimsache IDOR-Probe")
    document = services.document_add(
        case=case, title="Antrag", content=make_pdf("idor"), filename="antrag.pdf", by=clerk_x
    )
    version = document.versions.first()
    c = case.pk
    urls = [("get", reverse("efile:case-detail", args=[c]))]
    for name in (
        "document-upload",
        "scan-upload",
        "case-note",
        "bescheid-issue",
        "case-close",
        "case-forward",
        "case-assign",
        "case-confidentiality",
        "case-resubmission",
    ):
        urls.append(("post", reverse(f"efile:{name}", args=[c])))
    urls += [
        ("post", reverse("efile:document-ocr-retry", args=[c, document.pk])),
        ("get", reverse("efile:version-download", args=[version.pk])),
        ("get", reverse("efile:version-page", args=[version.pk, 1])),
    ]
    assert set(_statuses(_staff_client(clerk_x), [urls[0], urls[-2]]).values()) == {200}
    statuses = _statuses(_staff_client(clerk_y), urls)
    assert _refused(statuses) == {}, statuses
    case.refresh_from_db()
    assert case.office_id == office_x.pk and not case.is_closed
    # API: a token of office Y's clerk
    headers = _token(clerk_y, ["efile:read", "efile:write"])
    api = _statuses(
        Client(),
        [("get", f"/api/v1/efile/cases/{c}"), ("get", f"/api/v1/efile/cases/{c}/documents")],
        **headers,
    )
    assert set(api.values()) == {404}, api
    upload = Client().post(
        f"/api/v1/efile/cases/{c}/documents", {"title": "x", "file": io.BytesIO(make_pdf("y"))}, **headers
    )
    assert upload.status_code in (403, 404)
    listed = Client().get("/api/v1/efile/cases", **headers).content.decode()
    assert "IDOR-Probe" not in listed


def test_clerk_of_another_office_cannot_open_or_act_on_an_invoice(einvoice_setup):
    from rathaus.einvoice.tests.workflow_helpers import make_staff

    office, _supplier, _other, invoice = einvoice_setup
    stranger = make_staff(Office.objects.create(slug="fremd", name="Fremdes Amt"))
    own = make_staff(office)
    i = invoice.pk
    urls = [
        ("get", reverse("einvoice:staff-detail", args=[i])),
        ("get", reverse("einvoice:staff-original", args=[i])),
    ]
    for name in (
        "staff-approve-factual",
        "staff-approve-arithmetic",
        "staff-order-payment",
        "staff-decline",
        "staff-mark-paid",
        "staff-file",
    ):
        urls.append(("post", reverse(f"einvoice:{name}", args=[i])))
    assert _staff_client(own).get(urls[0][1]).status_code == 200
    statuses = _statuses(_staff_client(stranger), urls)
    assert _refused(statuses) == {}, statuses


def test_export_and_route_of_another_office_are_refused(einvoice_setup):
    from rathaus.einvoice import workflow
    from rathaus.einvoice.models import LeitwegRoute
    from rathaus.einvoice.tests.workflow_helpers import make_staff

    office, _supplier, _other, invoice = einvoice_setup
    first, second = make_staff(office), make_staff(office)
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first)
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=second)
    workflow.invoice_order_payment(invoice=invoice, by=first)
    export = workflow.payment_export_create(by=first, office=office)
    route = LeitwegRoute.objects.create(
        pattern="04011000-99999-12", office=office, valid_from=datetime.date(2026, 1, 1)
    )
    stranger = make_staff(Office.objects.create(slug="fremd2", name="Fremdes Amt"))
    urls = [
        ("get", reverse("einvoice:staff-export-download", args=[export.pk])),
        ("get", reverse("einvoice:staff-route-edit", args=[route.pk])),
        ("post", reverse("einvoice:staff-route-edit", args=[route.pk])),
    ]
    statuses = _statuses(_staff_client(stranger), urls)
    assert _refused(statuses) == {}, statuses


def test_cash_office_pages_refuse_a_clerk_of_another_office(payments_setup):
    from rathaus.payments import services
    from rathaus.payments.models import BankCredit

    citizen = _citizen("Erika")
    claim = services.claim_create(
        office=payments_setup["geo"],
        purpose="Auszug",
        debtor_name="Erika",
        debtor=citizen,
        amount=Decimal("20.00"),
    )
    stranger = _staff(Office.objects.create(slug="fremd-kasse", name="Bauamt"), "clerk-bau")
    credit = BankCredit.objects.first()
    urls = [
        ("get", reverse("payments:staff-claim", args=[claim.kassenzeichen])),
        ("post", reverse("payments:staff-refund", args=[claim.kassenzeichen])),
        ("post", reverse("payments:staff-refund-decide", args=[1])),
        ("post", reverse("payments:staff-credit-assign", args=[credit.pk if credit else 1])),
    ]
    statuses = _statuses(_staff_client(stranger), urls)
    assert _refused(statuses) == {}, statuses
    # API: an organisation's token that did not create the claim
    outsider = User.objects.create_user(
        username="fremdverfahren",
        kind=User.Kind.ORGANISATION,
        organisation=account_services.organisation_create(name="Fremd GmbH", kind=Organisation.Kind.COMPANY),
    )
    headers = _token(outsider, ["payments:read", "payments:write"])
    kz = claim.kassenzeichen
    api = {
        "get": Client().get(f"/api/v1/payments/claims/{kz}", **headers).status_code,
        "cancel": Client().post(f"/api/v1/payments/claims/{kz}/cancel?reason=Fremd", **headers).status_code,
        "refund": Client()
        .post(
            f"/api/v1/payments/claims/{kz}/refunds",
            {"amount": "1.00", "reason": "x"},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="k-1",
            **headers,
        )
        .status_code,
    }
    assert set(api.values()) <= {403, 404}, api


def test_appointment_day_list_and_outcome_of_another_office_are_hidden():
    from rathaus.appointments.tests.factories import confirmed, local, planned_office

    x, y = planned_office(), planned_office()
    appointment = confirmed(x, local(2026, 12, 2, 9, 0))
    clerk_y = _staff(y.office, "termin-y")
    client = _staff_client(clerk_y)
    page = client.get(reverse("appointments:staff"), {"dienststelle": x.office.pk, "tag": "2026-12-02"})
    assert page.status_code in (200, 403, 404)
    assert "Anna Becker" not in page.content.decode()
    assert (
        appointment.booking_code not in page.content.decode()
        if getattr(appointment, "booking_code", "")
        else True
    )
    outcome = client.post(reverse("appointments:staff-outcome", args=[appointment.pk]), {"outcome": "done"})
    assert outcome.status_code in (403, 404)


def test_archive_disposals_of_another_office_are_refused():
    from rathaus.efile.archive import services as archive_services
    from rathaus.efile.archive.tests.conftest import build_world

    world = build_world()
    disposal = archive_services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    d = disposal.pk
    urls = [("get", reverse("efile_archive:detail", args=[d]))]
    for name in ("evaluate", "transfer", "receipt", "delete"):
        urls.append(("post", reverse(f"efile_archive:{name}", args=[d])))
    urls.append(("get", reverse("efile_archive:download", args=[d, "angebot"])))
    assert _staff_client(world.clerk).get(urls[0][1]).status_code == 200
    statuses = _statuses(_staff_client(world.other_clerk), urls)
    assert _refused(statuses) == {}, statuses


# --- vertical: staff pages refuse citizens, organisations and staff without the second factor


def test_exchange_requests_waiting_for_another_office_are_hidden_from_its_clerks_and_tokens():
    """Only staff of the deciding register office see or decide a waiting exchange request, and
    only the asking office's token reads its status (decision 0105)."""
    from rathaus.registers import services as register_services
    from rathaus.registers.models import ExchangeRecord
    from rathaus.registers.tests.factories import exchange_world

    world = exchange_world()
    answer = register_services.exchange_request(
        requesting_office=world.buergeramt,
        person_id=world.mother.pk,
        fields=["name"],
        purpose="Prüfung",
        legal_basis_id="pstg-65-behoerden",
    )
    other = _staff_client(_staff(world.buergeramt, "idor-buergeramt"))
    for name, method in (("decide", "get"), ("release", "post"), ("refuse", "post")):
        url = reverse(f"exchange_desk:{name}", args=[answer.record_id])
        assert getattr(other, method)(url, {"reason": "x"} if name == "refuse" else {}).status_code == 404
    owner = _staff(world.finanzamt, "idor-verfahren")
    _t, plaintext = account_services.api_token_issue(
        owner=owner, name="Fremd", scopes=["registers:exchange"], office=world.finanzamt
    )
    response = Client().get(
        f"/api/v1/registers/exchange/{answer.record_id}", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    )
    assert response.status_code == 404
    assert ExchangeRecord.objects.get(pk=answer.record_id).outcome == ExchangeRecord.Outcome.PENDING


# The admin's add form of a model with a URLField warns about Django 6.0 (not a security matter).
def test_api_key_of_another_organisation_cannot_be_revoked():
    """An organisation revokes only its own API keys; another's key is not found and stays valid."""
    owner, other = (
        User.objects.create_user(
            username=f"idor-org-{name}",
            kind=User.Kind.ORGANISATION,
            organisation=account_services.organisation_create(name=name, kind=Organisation.Kind.COMPANY),
        )
        for name in ("Eigene GmbH", "Fremde AG")
    )
    token, _plaintext = account_services.organisation_api_token_issue(
        user=owner, name="Buchhaltung", scopes=["einvoice:submit"], valid_days=30
    )
    intruder = _citizen_client(other)
    assert intruder.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert intruder.post(reverse("api_tokens:revoke", args=[10**9])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning")
def test_staff_pages_refuse_citizens_suppliers_and_staff_without_the_second_factor():
    """Every page that a verified staff member reaches but an anonymous visitor does not is
    refused (no 200) to a citizen, to a supplier organisation and to a staff member who has
    only passed the password (a sweep over all pages without path parameters)."""
    from .test_headers import PAGES

    office = Office.objects.create(slug="vertikal", name="Amt")
    verified = _staff(office, "vertikal-staff")
    User.objects.filter(pk=verified.pk).update(is_superuser=True, is_staff=True)
    password_only = _staff(office, "nur-passwort")
    half = Client()
    half.force_login(password_only)  # no OTP device verified in this session
    supplier = User.objects.create_user(
        username="vertikal-lieferant",
        kind=User.Kind.ORGANISATION,
        organisation=account_services.organisation_create(name="Lieferant", kind=Organisation.Kind.COMPANY),
    )
    clients = {
        "citizen": _citizen_client(_citizen("Vertikal")),
        "supplier": _citizen_client(supplier),
        "password-only staff": half,
    }
    anonymous, staff_client = Client(), _staff_client(verified)
    staff_pages = [
        page.path
        for page in PAGES
        if staff_client.get(page.path).status_code == 200
        and anonymous.get(page.path).status_code != 200
        and not page.path.startswith(
            ("/mein-konto/", "/zahlungen/", "/e-rechnung/meine/", "/e-rechnung/einreichen/")
        )
    ]
    assert {"/e-akte/", "/kasse/", "/e-rechnung/eingang/", "/admin/"} <= set(staff_pages)
    # An organisation's login changes its own password too (only staff need the second factor).
    own_account = {("supplier", "/anmelden/passwort/")}
    reached = [
        f"{who}: {path}"
        for who, client in clients.items()
        for path in staff_pages
        if client.get(path).status_code == 200 and (who, path) not in own_account
    ]
    assert reached == []


def test_citizen_b_gets_404_for_a_s_online_application_in_every_state():
    from rathaus.eforms import services as eforms
    from rathaus.eforms.models import Application

    owner, other = _citizen("Ada"), _citizen("Edda")
    draft = eforms.application_start(form_id="gewerbeanmeldung", applicant=owner)
    eforms.application_step_save(
        application=draft, step_id="person", raw={"familienname": ["Geheim"]}, by=owner
    )
    addresses = [
        reverse("eforms:step", args=[draft.public_id, "person"]),
        reverse("eforms:summary", args=[draft.public_id]),
        reverse("eforms:application", args=[draft.public_id]),
    ]
    for address in addresses:
        assert _citizen_client(other).get(address).status_code == 404
        assert _citizen_client(other).post(address, {"familienname": "Fremd"}).status_code in (404, 405)
    assert Application.objects.get(pk=draft.pk).raw["person"]["familienname"] == ["Geheim"]
    assert "Gewerbeanmeldung" not in _citizen_client(other).get(reverse("eforms:mine")).content.decode()
    # the owner reaches it (the probe address is real)
    assert _citizen_client(owner).get(addresses[0]).status_code == 200


def test_the_work_on_an_online_application_stays_with_its_applicant_and_office():
    from django.utils import timezone

    from rathaus.efile.tests.factories import make_case
    from rathaus.eforms.models import Application, InformationRequest

    office_x, office_y = Office.objects.create(slug="x", name="X"), Office.objects.create(slug="y", name="Y")
    clerk_x, clerk_y = _staff(office_x, "clerk-x"), _staff(office_y, "clerk-y")
    owner, other = _citizen("Ada"), _citizen("Edda")

    def application(applicant: User, reference: str) -> tuple[Application, InformationRequest]:
        case = make_case(office_x, subject=f"Online-Antrag {reference}", source="eforms")
        row = Application.objects.create(
            form_id="gewerbeanmeldung", form_version=1, leika_key="99050012104000", title="Gewerbeanmeldung",
            applicant=applicant, status=Application.Status.INFO_REQUESTED, reference=reference,
            office=office_x, case_id=case.pk, submitted_at=timezone.now(),
        )  # fmt: skip
        request = InformationRequest.objects.create(
            application=row,
            text="Bitte Erlaubnis nachreichen",
            deadline=timezone.localdate(),
            asked_by=clerk_x,
        )
        return row, request

    mine, my_request = application(owner, "OA-2026-0000001")
    theirs, their_request = application(other, "OA-2026-0000002")
    # another citizen's answer, or an answer naming another application's request: 404
    answer = reverse("eforms:answer", args=[mine.public_id, my_request.pk])
    assert _citizen_client(other).post(answer, {"text": "fremd"}).status_code == 404
    crossed = reverse("eforms:answer", args=[mine.public_id, their_request.pk])
    assert _citizen_client(owner).post(crossed, {"text": "quer"}).status_code == 404
    # staff of another office, and any citizen, are refused the office's pages
    c = mine.case_id
    staff_urls = [
        ("get", reverse("eforms:staff-application", args=[c])),
        ("post", reverse("eforms:staff-request", args=[c])),
        ("post", reverse("eforms:staff-decide", args=[c])),
    ]
    assert _refused(_statuses(_staff_client(clerk_y), staff_urls)) == {}
    citizen = _statuses(_citizen_client(owner), staff_urls)
    assert all(code in (302, 403, 404) for code in citizen.values()), citizen
    assert set(InformationRequest.objects.values_list("answered_at", flat=True)) == {None}
    assert set(Application.objects.values_list("status", flat=True)) == {"info_requested"}
    # the probe addresses are real: the office's clerk and the owner reach them
    assert _statuses(_staff_client(clerk_x), staff_urls[:1]) == {f"GET {staff_urls[0][1]}": 200}
    assert _citizen_client(owner).get(reverse("eforms:application", args=[mine.public_id])).status_code == 200


def test_a_tax_return_stays_with_its_taxpayer_and_tax_office():
    from rathaus.taxoffice import services as tax
    from rathaus.taxoffice.models import TaxReturn

    finanzamt = Office.objects.create(slug="fa", name="Finanzamt", kind=Office.Kind.TAX_OFFICE)
    other_office = Office.objects.create(slug="y", name="Y")
    clerk, clerk_y = _staff(finanzamt, "fa-clerk"), _staff(other_office, "clerk-y")
    owner, other = _citizen("Ada"), _citizen("Edda")
    row = tax.tax_return_receive(
        person=owner.person, office=finanzamt, tax_year=2025, received_on=datetime.date(2026, 4, 1), by=None
    )
    mine = reverse("taxoffice:mine-detail", args=[row.pk])
    assert _citizen_client(other).get(mine).status_code == 404
    assert row.reference not in _citizen_client(other).get(reverse("taxoffice:mine")).content.decode()
    staff_urls = [
        ("get", reverse("taxoffice:staff-return", args=[row.pk])),
        ("post", reverse("taxoffice:staff-status", args=[row.pk])),
    ]
    assert _refused(_statuses(_staff_client(clerk_y), staff_urls)) == {}
    citizen = _statuses(_citizen_client(owner), staff_urls)
    assert all(code in (302, 403, 404) for code in citizen.values()), citizen
    assert TaxReturn.objects.get(pk=row.pk).status == TaxReturn.Status.RECEIVED
    # the probe addresses are real: the owner and the tax office's clerk reach them
    assert _citizen_client(owner).get(mine).status_code == 200
    assert _statuses(_staff_client(clerk), staff_urls[:1]) == {f"GET {staff_urls[0][1]}": 200}
