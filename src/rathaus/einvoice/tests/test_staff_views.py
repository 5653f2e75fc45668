"""The authorities' staff pages: inbox, detail, the two checks by two people, export download."""

import csv
import io

import pytest
from django.urls import reverse

from rathaus.directory.models import Office
from rathaus.kernel import audit
from rathaus.kernel.testing import log_in_staff as _login

from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(ubl, supplier, office):
    return receive(ubl, supplier)


def _post(client, name, invoice, **data):
    return client.post(reverse(f"einvoice:{name}", args=[invoice.pk]), {"version": invoice.version, **data})


def test_inbox_lists_the_office_invoices_with_filters(client, office, invoice):
    clerk = make_staff(office)
    response = _login(client, clerk).get(reverse("einvoice:staff-inbox"))
    assert response.status_code == 200 and invoice.invoice_number in response.content.decode()
    none = client.get(reverse("einvoice:staff-inbox"), {"status": "paid"})
    assert invoice.invoice_number not in none.content.decode()
    miss = client.get(reverse("einvoice:staff-inbox"), {"q": "gibt es nicht"})
    assert invoice.invoice_number not in miss.content.decode()


def test_inbox_requires_a_staff_login(client):
    response = client.get(reverse("einvoice:staff-inbox"))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_invoice_of_another_office_is_404_and_the_attempt_is_audited(client, invoice):
    """Staff of another office cannot tell whether the invoice exists (detail and actions)."""
    stranger = make_staff(Office.objects.create(slug="fremd", name="Fremdes Amt"))
    _login(client, stranger)
    assert client.get(reverse("einvoice:staff-detail", args=[invoice.pk])).status_code == 404
    assert _post(client, "staff-approve-factual", invoice).status_code == 404
    denied = audit.entries_for_target("einvoice.inboundinvoice", invoice.pk).filter(action="access.denied")
    assert denied.count() == 2
    invoice.refresh_from_db()
    assert invoice.state == "accepted"


def test_two_clerks_approve_order_export_and_download(client, office, invoice):
    """The demo path: sachlich richtig, rechnerisch richtig by a colleague, order, export, CSV."""
    first, second = make_staff(office), make_staff(office)
    detail = _login(client, first).get(reverse("einvoice:staff-detail", args=[invoice.pk]))
    assert detail.status_code == 200 and "Sachlich richtig" in detail.content.decode()
    assert _post(client, "staff-approve-factual", invoice).status_code == 302
    invoice.refresh_from_db()
    _login(client, second)
    assert _post(client, "staff-approve-arithmetic", invoice).status_code == 302
    invoice.refresh_from_db()
    assert _post(client, "staff-order-payment", invoice).status_code == 302
    response = client.post(reverse("einvoice:staff-export-create"), {"dienststelle": office.pk})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == "exported"
    download = client.get(reverse("einvoice:staff-export-download", args=[invoice.payment_export_id]))
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode()
    [row] = csv.DictReader(io.StringIO(text, newline=""), delimiter=";")
    assert row["rechnungsnummer"] == invoice.invoice_number
    exported = audit.entries_for_target("einvoice.paymentexport", invoice.payment_export_id)
    assert {"einvoice.payment_exported", "einvoice.payment_export_downloaded"} <= set(
        exported.values_list("action", flat=True)
    )


def test_second_check_by_the_same_clerk_shows_the_four_eyes_refusal(client, office, invoice):
    clerk = make_staff(office)
    _login(client, clerk)
    _post(client, "staff-approve-factual", invoice)
    invoice.refresh_from_db()
    response = _post(client, "staff-approve-arithmetic", invoice)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Vier-Augen-Prinzip" in page
    assert page.count('app-error-summary"') == 1  # one error summary, not two
    # the failed action is open, its error takes the focus
    assert '<details class="kern-accordion app-einvoice-action" id="aktion-rechnerisch" open>' in page
    assert "autofocus" in page
    invoice.refresh_from_db()
    assert invoice.state == "factually_approved"


def test_double_click_is_refused_with_a_reload_hint(client, office, invoice):
    """The same approval form sent twice: the second answer explains that someone was faster."""
    _login(client, make_staff(office))
    assert _post(client, "staff-approve-factual", invoice).status_code == 302
    again = _post(client, "staff-approve-factual", invoice)  # still version 1
    assert again.status_code == 409 and "inzwischen" in again.content.decode()


def test_decline_without_reason_shows_the_form_error(client, office, invoice):
    """An empty reason was tried."""
    _login(client, make_staff(office))
    response = _post(client, "staff-decline", invoice, reason="")
    assert response.status_code == 400
    invoice.refresh_from_db()
    assert invoice.state == "accepted"
    assert _post(client, "staff-decline", invoice, reason="Doppelt berechnet").status_code == 302
    invoice.refresh_from_db()
    assert invoice.state == "declined"


def test_original_download_returns_the_received_bytes_and_is_audited(client, office, invoice, ubl):
    _login(client, make_staff(office))
    response = client.get(reverse("einvoice:staff-original", args=[invoice.pk]))
    assert b"".join(response.streaming_content) == ubl
    assert (
        audit.entries_for_target("einvoice.inboundinvoice", invoice.pk)
        .filter(action="einvoice.original_downloaded")
        .exists()
    )


def test_export_of_another_office_cannot_be_downloaded(client, office, invoice):
    from rathaus.einvoice import workflow

    first, second = make_staff(office), make_staff(office)
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first)
    invoice = workflow.invoice_approve_arithmetic(invoice=invoice, by=second)
    workflow.invoice_order_payment(invoice=invoice, by=first)
    export = workflow.payment_export_create(by=first, office=office)
    stranger = make_staff(Office.objects.create(slug="fremd", name="Fremdes Amt"))
    response = _login(client, stranger).get(reverse("einvoice:staff-export-download", args=[export.pk]))
    assert response.status_code == 404
    assert (
        audit.entries_for_target("einvoice.paymentexport", export.pk).filter(action="access.denied").exists()
    )


def _route_editor(office):
    from django.contrib.auth.models import Permission

    user = make_staff(office)
    user.user_permissions.add(Permission.objects.get(codename="change_leitwegroute"))
    return user


def test_routing_page_needs_the_permission(client, office):
    """A clerk without einvoice.change_leitwegroute gets 403."""
    _login(client, make_staff(office))
    assert client.get(reverse("einvoice:staff-routes")).status_code == 403
    assert client.post(reverse("einvoice:staff-routes"), {"pattern": "04011000"}).status_code == 403


def test_route_added_and_changed_on_the_staff_page_is_audited(client, office):
    from rathaus.einvoice.models import LeitwegRoute

    editor = _route_editor(office)
    other = Office.objects.create(slug="bau", name="Bauressort")
    _login(client, editor)
    data = {"pattern": "04011000-123", "match": "prefix", "office": office.pk, "valid_from": "2026-01-01"}
    assert client.post(reverse("einvoice:staff-routes"), data).status_code == 302
    route = LeitwegRoute.objects.get()
    change = {"office": other.pk, "valid_from": "2026-01-01", "valid_until": "", "note": "Umzug"}
    assert client.post(reverse("einvoice:staff-route-edit", args=[route.pk]), change).status_code == 302
    route.refresh_from_db()
    assert route.office == other and route.pattern == "04011000-123"
    entries = audit.entries_for_target("einvoice.leitwegroute", route.pk)
    assert list(entries.values_list("action", "actor_id")) == [
        ("einvoice.route_created", str(editor.pk)),
        ("einvoice.route_changed", str(editor.pk)),
    ]


def test_overlapping_route_on_the_staff_page_shows_the_conflict(client, office):
    """The same exact ID twice, both open-ended, was tried."""
    from rathaus.einvoice.models import LeitwegRoute

    _login(client, _route_editor(office))
    data = {"pattern": "04011000-12348-91", "match": "exact", "office": office.pk, "valid_from": "2026-01-01"}
    client.post(reverse("einvoice:staff-routes"), data)
    response = client.post(reverse("einvoice:staff-routes"), {**data, "valid_from": "2026-06-01"})
    assert response.status_code == 400 and "gilt in diesem Zeitraum schon" in response.content.decode()
    assert LeitwegRoute.objects.count() == 1
