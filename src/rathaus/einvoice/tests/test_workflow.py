"""The authority's workflow: routing table, E-Akte filing, four-eyes checks, payment order,
HKR export and supplier notices — on the real database."""

import csv
import datetime
import io

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from rathaus.directory.models import Office
from rathaus.einvoice import workflow
from rathaus.einvoice.models import InboundInvoice, LeitwegRoute
from rathaus.kernel import audit, blobs
from rathaus.kernel.exceptions import Conflict, InvalidInput, NotFound

from .conftest import LEITWEG_ID
from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 1, 1)


@pytest.fixture
def clerks(office):
    return make_staff(office), make_staff(office)


@pytest.fixture
def invoice(ubl, supplier, office):
    received = receive(ubl, supplier)
    assert received.state == "accepted"
    return received


def _approved(invoice, clerks):
    first, second = clerks
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first, expected_version=invoice.version)
    return workflow.invoice_approve_arithmetic(invoice=invoice, by=second, expected_version=invoice.version)


def _ordered(invoice, clerks):
    invoice = _approved(invoice, clerks)
    return workflow.invoice_order_payment(invoice=invoice, by=clerks[0], expected_version=invoice.version)


# --- Routing table ----------------------------------------------------------------------------


def test_prefix_route_sends_the_invoice_to_its_office_instead_of_the_office_leitweg_id(ubl, supplier, office):
    """A route in the table wins over ``Office.leitweg_id``; the route used is recorded."""
    other = Office.objects.create(slug="bau", name="Bauressort")
    route = workflow.route_create(
        pattern="04011000-123", match="prefix", office=other, valid_from=TODAY, note="Bau", by="test"
    )
    invoice = receive(ubl, supplier)
    assert (invoice.status, invoice.office, invoice.route) == ("accepted", other, route)


def test_exact_route_beats_prefix_route(ubl, supplier, office):
    prefix_office = Office.objects.create(slug="a", name="A")
    exact_office = Office.objects.create(slug="b", name="B")
    workflow.route_create(pattern="04011000", match="prefix", office=prefix_office, valid_from=TODAY)
    workflow.route_create(pattern=LEITWEG_ID, match="exact", office=exact_office, valid_from=TODAY)
    assert receive(ubl, supplier).office == exact_office


def test_ended_route_falls_back_to_the_office_leitweg_id(ubl, supplier, office):
    """A route that ended yesterday no longer counts."""
    other = Office.objects.create(slug="alt", name="Alt")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    workflow.route_create(
        pattern="04011000-12", match="prefix", office=other, valid_from=TODAY, valid_until=yesterday
    )
    assert receive(ubl, supplier).office == office


def test_unknown_leitweg_id_is_still_rejected_with_a_clear_notice(ubl, supplier, office):
    """Neither the table nor an office knows the ID: rejected, named in the notice."""
    workflow.route_create(pattern="04011000-9", match="prefix", office=office, valid_from=TODAY)
    unknown = "04011000-1234512345-06"
    invoice = receive(ubl.replace(LEITWEG_ID.encode(), unknown.encode()), supplier)
    assert invoice.rejection_rules == ["LEITWEG-ID-UNKNOWN"] and unknown in invoice.rejection_reason


def test_route_changes_are_audited_with_before_and_after(office):
    other = Office.objects.create(slug="neu", name="Neu")
    staff = make_staff(office)
    route = workflow.route_create(
        pattern=LEITWEG_ID, match="exact", office=office, valid_from=TODAY, by=staff
    )
    workflow.route_update(
        route=route, office=other, valid_from=TODAY, valid_until=None, note="Umzug", by=staff
    )
    created, changed = audit.entries_for_target("einvoice.leitwegroute", route.pk)
    assert created.action == "einvoice.route_created" and created.details["office"] == office.pk
    assert changed.action == "einvoice.route_changed"
    assert (changed.details["before"]["office"], changed.details["after"]["office"]) == (office.pk, other.pk)


@pytest.mark.parametrize(
    ("pattern", "match"),
    [("04011000-12348-92", "exact"), ("x4011000", "prefix"), ("04011000", "fuzzy")],
)
def test_route_with_an_impossible_pattern_is_refused(office, pattern, match):
    """A wrong check digit (exact), a letter in the coarse part (prefix) and an unknown match were tried."""
    with pytest.raises(InvalidInput):
        workflow.route_create(pattern=pattern, match=match, office=office, valid_from=TODAY)
    assert not LeitwegRoute.objects.exists()


def test_overlapping_routes_for_the_same_pattern_are_refused(office):
    """Two open-ended routes for one ID would make routing ambiguous."""
    workflow.route_create(pattern=LEITWEG_ID, match="exact", office=office, valid_from=TODAY)
    with pytest.raises(Conflict):
        workflow.route_create(
            pattern=LEITWEG_ID, match="exact", office=office, valid_from=TODAY + datetime.timedelta(days=30)
        )


def test_route_ending_before_it_starts_is_refused(office):
    """valid_until one day before valid_from was tried."""
    with pytest.raises(InvalidInput):
        workflow.route_create(
            pattern=LEITWEG_ID,
            match="exact",
            office=office,
            valid_from=TODAY,
            valid_until=TODAY - datetime.timedelta(days=1),
        )


# --- E-Akte filing and receipt notices --------------------------------------------------------


def test_accepted_invoice_is_filed_as_case_with_the_original_bytes(ubl, invoice, office):
    """The case belongs to the office; its document is exactly the received document."""
    from rathaus.efile import selectors as efile_selectors

    case = invoice.case
    assert case is not None and case.office == office
    assert invoice.invoice_number in case.subject
    [(document, versions)] = efile_selectors.case_documents(case)
    assert blobs.read_bytes(versions[0].blob) == ubl
    assert (
        audit.entries_for_target("einvoice.inboundinvoice", invoice.pk)
        .filter(action="einvoice.filed")
        .exists()
    )


def test_rejected_invoice_is_not_filed(ubl, supplier, office):
    broken = ubl.replace(
        b'TaxInclusiveAmount currencyID="EUR">120', b'TaxInclusiveAmount currencyID="EUR">99'
    )
    assert receive(broken, supplier).case is None


def test_supplier_gets_a_receipt_notice(ubl, supplier, office, django_capture_on_commit_callbacks):
    supplier.email = "buchhaltung@nord.example"
    supplier.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = receive(ubl, supplier)
    [message] = mail.outbox
    assert message.to == ["buchhaltung@nord.example"]
    assert "eingegangen" in message.subject and invoice.invoice_number in message.subject
    assert office.name in message.body


def test_supplier_notice_names_the_status_address_absolutely_at_the_configured_site(
    ubl, supplier, office, settings, django_capture_on_commit_callbacks
):
    """Issue 20, finding 5 elsewhere: the notice named "GET /api/v1/einvoices/<id>", without a host."""
    settings.RATHAUS_BASE_URL = "https://service.bremen.example"
    supplier.email = "buchhaltung@nord.example"
    supplier.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = receive(ubl, supplier)
    [message] = mail.outbox
    assert f"(GET https://service.bremen.example/api/v1/einvoices/{invoice.pk})" in message.body


def test_broken_invoice_gets_a_rejection_notice_naming_the_rules(
    ubl, supplier, office, django_capture_on_commit_callbacks
):
    """The notice lists each broken rule with its message."""
    supplier.email = "buchhaltung@nord.example"
    supplier.save(update_fields=["email"])
    broken = ubl.replace(
        b'TaxInclusiveAmount currencyID="EUR">120', b'TaxInclusiveAmount currencyID="EUR">99'
    )
    with django_capture_on_commit_callbacks(execute=True):
        receive(broken, supplier)
    [message] = mail.outbox
    assert "abgelehnt" in message.subject
    # the rule's message once, its ID beside it (never "BR-CO-15: [BR-CO-15]-…")
    assert "(Regel BR-CO-15)" in message.body and "[BR-CO-15]" not in message.body
    assert "Q{urn:" not in message.body  # the place in the file as a short element path


def test_email_intake_notice_goes_to_the_notice_address(ubl, office, django_capture_on_commit_callbacks):
    from rathaus.einvoice.services import invoice_receive

    with django_capture_on_commit_callbacks(execute=True):
        invoice_receive(content=ubl, sender=None, channel="email", notice_email="rechnung@nord.example")
    assert [m.to for m in mail.outbox] == [["rechnung@nord.example"]]


# --- Transitions --------------------------------------------------------------------------------


def test_two_people_approve_then_payment_is_ordered_exported_and_paid(invoice, clerks):
    """The whole path; each step is audited and the version grows."""
    first, second = clerks
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first, expected_version=1)
    assert (invoice.state, invoice.factual_approved_by, invoice.version) == ("factually_approved", first, 2)
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=second, expected_version=2)
    assert (invoice.state, invoice.arithmetic_approved_by) == ("approved", second)
    invoice = workflow.invoice_order_payment(invoice=invoice, by=second, expected_version=3)
    assert invoice.state == "payment_ordered" and invoice.payment_ordered_at is not None
    export = workflow.payment_export_create(by=None)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.payment_export) == ("exported", export)
    invoice = workflow.invoice_mark_paid(invoice=invoice, by=first, expected_version=invoice.version)
    assert invoice.state == "paid" and invoice.paid_at is not None
    invoice.case.refresh_from_db()
    assert invoice.case.is_closed
    actions = list(
        audit.entries_for_target("einvoice.inboundinvoice", invoice.pk).values_list("action", flat=True)
    )
    assert actions[-5:] == [
        "einvoice.approve_factual",
        "einvoice.approve_arithmetic",
        "einvoice.order_payment",
        "einvoice.export",
        "einvoice.mark_paid",
    ]


def test_arithmetic_check_may_come_first(invoice, clerks):
    first, second = clerks
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=first, expected_version=1)
    assert invoice.state == "arithmetically_approved"
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=second, expected_version=2)
    assert invoice.state == "approved"


@pytest.mark.parametrize("factual_first", [True, False])
def test_same_person_is_refused_the_second_check(invoice, clerks, factual_first):
    """Four-eyes in the service: the one who made one check cannot make the other (both orders tried)."""
    clerk = clerks[0]
    first, second = (
        (workflow.invoice_approve_factual, workflow.invoice_approve_arithmetic)
        if factual_first
        else (workflow.invoice_approve_arithmetic, workflow.invoice_approve_factual)
    )
    invoice = first(invoice=invoice, by=clerk, expected_version=1)
    with pytest.raises(Conflict) as refused:
        second(invoice=invoice, by=clerk, expected_version=2)
    assert refused.value.code == "four_eyes" and "Vier-Augen-Prinzip" in str(refused.value)
    invoice.refresh_from_db()
    assert invoice.version == 2 and invoice.state != "approved"


def test_database_refuses_one_person_for_both_checks(invoice, clerks):
    """Even a write that bypasses the services cannot record both checks for one person."""
    clerk = clerks[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        InboundInvoice.objects.filter(pk=invoice.pk).update(
            factual_approved_by=clerk, arithmetic_approved_by=clerk
        )


def test_database_refuses_a_payment_order_without_both_checks(invoice, clerks):
    """A bypassing write to ``payment_ordered`` with only one check was tried."""
    with pytest.raises(IntegrityError), transaction.atomic():
        InboundInvoice.objects.filter(pk=invoice.pk).update(
            state="payment_ordered", factual_approved_by=clerks[0]
        )


def test_double_click_changes_nothing_the_second_time(invoice, clerks):
    """The same form (same version) sent twice: the second is refused as stale."""
    first, second = clerks
    workflow.invoice_approve_factual(invoice=invoice, by=first, expected_version=1)
    with pytest.raises(workflow.StaleInvoice):
        workflow.invoice_approve_factual(invoice=invoice, by=first, expected_version=1)
    with pytest.raises(workflow.StaleInvoice):
        # A colleague's form loaded before the first approval is stale as well.
        workflow.invoice_approve_arithmetic(invoice=invoice, by=second, expected_version=1)
    invoice.refresh_from_db()
    assert (invoice.version, invoice.state) == (2, "factually_approved")


def test_approval_without_version_is_still_checked_against_the_state(invoice, clerks):
    """Without a form version the state machine still refuses a second factual check."""
    workflow.invoice_approve_factual(invoice=invoice, by=clerks[0])
    with pytest.raises(Conflict) as refused:
        workflow.invoice_approve_factual(invoice=invoice, by=clerks[1])
    assert refused.value.code == "state"


def test_payment_order_needs_both_checks(invoice, clerks):
    workflow.invoice_approve_factual(invoice=invoice, by=clerks[0], expected_version=1)
    with pytest.raises(Conflict) as refused:
        workflow.invoice_order_payment(invoice=invoice, by=clerks[1], expected_version=2)
    assert refused.value.code == "state"


def test_decline_keeps_the_reason_closes_the_case_and_notifies(
    invoice, clerks, supplier, django_capture_on_commit_callbacks
):
    supplier.email = "buchhaltung@nord.example"
    supplier.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = workflow.invoice_decline(
            invoice=invoice, by=clerks[0], reason="Keine Bestellung vorhanden", expected_version=1
        )
    assert (invoice.state, invoice.decline_reason, invoice.declined_by) == (
        "declined",
        "Keine Bestellung vorhanden",
        clerks[0],
    )
    invoice.case.refresh_from_db()
    assert invoice.case.is_closed
    [message] = mail.outbox
    assert "zurückgewiesen" in message.subject and "Keine Bestellung vorhanden" in message.body
    with pytest.raises(Conflict):
        workflow.invoice_approve_factual(invoice=invoice, by=clerks[1])


def test_decline_without_reason_is_refused(invoice, clerks):
    """Only blanks as the reason were tried."""
    with pytest.raises(Conflict) as refused:
        workflow.invoice_decline(invoice=invoice, by=clerks[0], reason="   ", expected_version=1)
    assert refused.value.code == "reason_missing"


def test_exported_order_cannot_be_declined_any_more(invoice, clerks):
    _ordered(invoice, clerks)
    workflow.payment_export_create()
    with pytest.raises(Conflict):
        workflow.invoice_decline(invoice=invoice, by=clerks[0], reason="zu spät")


def test_staff_of_another_office_cannot_approve(invoice):
    """Not found for staff who do not work for the invoice's office; nothing changes."""
    stranger = make_staff(Office.objects.create(slug="fremd", name="Fremdes Amt"))
    with pytest.raises(NotFound):
        workflow.invoice_approve_factual(invoice=invoice, by=stranger, expected_version=1)
    invoice.refresh_from_db()
    assert invoice.state == "accepted"


def test_office_administrator_role_does_not_approve(invoice, office):
    """An office's login administrators do not work on its invoices."""
    admin = make_staff(office, role="admin")
    with pytest.raises(NotFound):
        workflow.invoice_approve_factual(invoice=invoice, by=admin, expected_version=1)


def test_payment_order_and_payment_notify_the_supplier(
    invoice, clerks, supplier, django_capture_on_commit_callbacks
):
    supplier.email = "buchhaltung@nord.example"
    supplier.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        invoice = _ordered(invoice, clerks)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.payment_export_create()
    invoice.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.invoice_mark_paid(invoice=invoice, by=None)
    subjects = [m.subject for m in mail.outbox]
    assert any("zur Zahlung angewiesen" in s for s in subjects)
    assert any(s.endswith("bezahlt") for s in subjects)


# --- HKR export -------------------------------------------------------------------------------


def _rows(export):
    text = blobs.read_bytes(export.blob).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))


def test_export_writes_the_documented_csv_and_marks_the_orders(invoice, clerks):
    invoice = _ordered(invoice, clerks)
    export = workflow.payment_export_create(by=clerks[0], office=invoice.office)
    [row] = _rows(export)
    assert row["format"] == "RATHAUS-HKR-1" and row["export_nr"] == str(export.pk)
    assert row["rechnungsnummer"] == "1234/78/901" and row["betrag"] == "120.00"
    assert row["leitweg_id"] == LEITWEG_ID and row["sha256"] == invoice.blob.sha256
    assert (row["sachlich_richtig"], row["rechnerisch_richtig"]) == (
        clerks[0].username,
        clerks[1].username,
    )
    assert (export.count, str(export.total)) == (1, "120.00")
    entry = audit.entries_for_target("einvoice.paymentexport", export.pk).get()
    assert entry.action == "einvoice.payment_exported" and entry.details["invoices"] == [invoice.pk]


def test_second_export_exports_nothing_again(invoice, clerks):
    """Idempotent: an order is exported once; the second run finds nothing and writes nothing."""
    _ordered(invoice, clerks)
    assert workflow.payment_export_create() is not None
    assert workflow.payment_export_create() is None
    invoice.refresh_from_db()
    assert invoice.state == "exported"


def test_export_window_selects_by_the_day_of_the_payment_order(invoice, clerks):
    _ordered(invoice, clerks)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert workflow.payment_export_create(since=tomorrow) is None
    assert workflow.payment_export_create(until=timezone.now() - datetime.timedelta(days=1)) is None
    assert workflow.payment_export_create(since=timezone.now() - datetime.timedelta(days=1), until=tomorrow)


def test_export_by_staff_of_another_office_is_refused(invoice, clerks):
    stranger = make_staff(Office.objects.create(slug="fremd", name="Fremdes Amt"))
    _ordered(invoice, clerks)
    with pytest.raises(NotFound):
        workflow.payment_export_create(by=stranger, office=invoice.office)
    invoice.refresh_from_db()
    assert invoice.state == "payment_ordered"


def test_approved_but_not_ordered_invoices_are_not_exported(invoice, clerks):
    _approved(invoice, clerks)
    assert workflow.payment_export_create() is None
