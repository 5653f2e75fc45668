"""``rathaus einvoice export-payments``, the API status with workflow states, the demo part."""

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from rathaus.accounts import services as account_services
from rathaus.einvoice import workflow
from rathaus.kernel import audit

from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def ordered(ubl, supplier, office):
    first, second = make_staff(office), make_staff(office)
    invoice = receive(ubl, supplier)
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first)
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=second)
    return workflow.invoice_order_payment(invoice=invoice, by=first)


def test_export_command_writes_the_file_once(ordered, tmp_path):
    """The second run with the same window exports nothing and leaves the first file alone."""
    target = tmp_path / "hkr.csv"
    today = timezone.localdate().isoformat()
    err = io.StringIO()
    call_command(
        "einvoice", "export-payments", "--since", today, "--until", today, "--output", str(target), stderr=err
    )
    [row] = csv.DictReader(io.StringIO(target.read_text("utf-8"), newline=""), delimiter=";")
    assert row["rechnungsnummer"] == ordered.invoice_number
    assert "Export Nr. " in err.getvalue() and ": 1 Zahlung, " in err.getvalue()
    again = io.StringIO()
    call_command(
        "einvoice", "export-payments", "--since", today, "--output", str(tmp_path / "b.csv"), stderr=again
    )
    assert "nothing to export" in again.getvalue() and not (tmp_path / "b.csv").exists()
    ordered.refresh_from_db()
    assert ordered.state == "exported"
    entry = audit.entries_for_target("einvoice.paymentexport", ordered.payment_export_id).get()
    assert entry.actor_type == "system"


def test_export_command_window_in_the_past_exports_nothing(ordered, tmp_path):
    err = io.StringIO()
    call_command("einvoice", "export-payments", "--until", "2020-01-31", stderr=err)
    ordered.refresh_from_db()
    assert ordered.state == "payment_ordered"


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "31.01.2026"],
        ["--since", "2026-02-02", "--until", "2026-02-01"],
        ["--office", "gibt-es-nicht"],
    ],
)
def test_export_command_refuses_bad_arguments(args):
    """A German date format, an inverted window and an unknown office were tried."""
    with pytest.raises(CommandError):
        call_command("einvoice", "export-payments", *args)


def _token(supplier):
    _token_row, secret = account_services.api_token_issue(
        owner=supplier, name="ERP", scopes=["einvoice:submit"]
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_api_status_follows_the_workflow(client, ordered, supplier):
    """The supplier sees the workflow state (and its German label) via GET /api/v1/einvoices/{id}."""
    response = client.get(f"/api/v1/einvoices/{ordered.pk}", **_token(supplier))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_label"]) == ("payment_ordered", "Zahlung angeordnet")


def test_api_status_shows_the_decline_reason(client, ubl, supplier, office):
    invoice = receive(ubl, supplier)
    workflow.invoice_decline(invoice=invoice, by=make_staff(office), reason="Leistung nicht erbracht")
    body = client.get(f"/api/v1/einvoices/{invoice.pk}", **_token(supplier)).json()
    assert (body["status"], body["decline_reason"]) == ("declined", "Leistung nicht erbracht")


def test_demo_part_routes_receives_and_is_idempotent(ubl):
    """The demo office gets the test-suite invoices and two clerks; a second run adds nothing."""
    from rathaus.einvoice.demo import load_demo
    from rathaus.einvoice.models import InboundInvoice, LeitwegRoute
    from rathaus.kernel.demo import quiet_step
    from rathaus.registers.demo.city import demo_offices_ensure, demo_staff_ensure

    demo_staff_ensure(demo_offices_ensure())
    summary = load_demo(seed=1, step=quiet_step)
    assert "5 Rechnungen" in summary
    office = LeitwegRoute.objects.get(pattern="04011000-123").office
    assert office.slug == "senator-finanzen"
    accepted = InboundInvoice.objects.filter(office=office, status="accepted")
    assert accepted.count() == 5 and all(i.case_id for i in accepted)
    assert "BR-CO-15" in InboundInvoice.objects.get(status="rejected").rejection_rules
    assert workflow.may_work_on(_user("erechnung"), office.pk) and workflow.may_work_on(
        _user("erechnung2"), office.pk
    )
    assert _user("erechnung").has_perm("einvoice.change_leitwegroute")
    assert "unverändert" in load_demo(seed=1, step=quiet_step)
    assert InboundInvoice.objects.count() == 6


def _user(username):
    from rathaus.accounts.models import User

    return User.objects.get(username=username)


def test_mark_paid_command_records_the_payments_the_cash_office_reports(ordered, tmp_path):
    """Order numbers from the export file; a second report of the same order is refused."""
    from rathaus.domain.einvoice import hkr

    export = workflow.payment_export_create()
    ordered.refresh_from_db()
    number = hkr.order_number(ordered.pk, ordered.payment_ordered_at)
    report = tmp_path / "bezahlt.csv"
    report.write_text(f"anordnung_nr;betrag\r\n{number};120.00\r\n", encoding="utf-8")
    out = io.StringIO()
    call_command("einvoice", "mark-paid", "--file", str(report), stdout=out)
    assert f"{number}: bezahlt" in out.getvalue()
    ordered.refresh_from_db()
    assert ordered.state == "paid" and ordered.payment_export == export
    with pytest.raises(SystemExit) as exited:
        call_command("einvoice", "mark-paid", number, stderr=io.StringIO())
    assert exited.value.code == 1


@pytest.mark.parametrize("order", ["ER-2026-99999999", "Rechnung 4711"])
def test_mark_paid_command_refuses_unknown_and_malformed_orders(order, ordered):
    """An order number without invoice and free text were tried; nothing changes."""
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("einvoice", "mark-paid", order, stderr=err)
    assert order in err.getvalue()
    ordered.refresh_from_db()
    assert ordered.state == "payment_ordered"


def test_mark_paid_command_needs_order_numbers():
    with pytest.raises(CommandError):
        call_command("einvoice", "mark-paid")
