"""POST /api/v1/einvoices: suppliers' software submits XRechnung documents; errors are problem+json."""

import pytest

from rathaus.accounts import services as account_services
from rathaus.accounts.models import User
from rathaus.einvoice.models import InboundInvoice

from .conftest import make_supplier

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _headers(user, scopes=("einvoice:submit",)):
    _token, plaintext = account_services.api_token_issue(owner=user, name="ERP", scopes=list(scopes))
    return {"Authorization": f"Bearer {plaintext}"}


def _post(client, content, headers):
    return client.post("/api/v1/einvoices", content, content_type="application/xml", headers=headers)


def test_valid_invoice_is_created_and_its_status_readable(client, ubl, supplier, office):
    """201 with the routing result; the supplier can read the status later."""
    headers = _headers(supplier)
    response = _post(client, ubl, headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["office_id"], body["syntax"], body["rules"]) == (
        "accepted",
        office.pk,
        "UBL",
        [],
    )
    status = client.get(f"/api/v1/einvoices/{body['id']}", headers=headers)
    assert status.status_code == 200 and status.json()["invoice_number"] == "1234/78/901"


def test_rejected_invoice_is_a_problem_naming_the_rules(client, ubl, supplier, office):
    """422 problem+json with the failed rule IDs; the rejected document is kept and has an id."""
    broken = ubl.replace(
        b'<cbc:TaxInclusiveAmount currencyID="EUR">120', b'<cbc:TaxInclusiveAmount currencyID="EUR">99'
    )
    response = _post(client, broken, _headers(supplier))
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert "BR-CO-15" in body["rules"] and "BR-CO-15" in body["detail"]
    assert InboundInvoice.objects.get(pk=body["invoice_id"]).status == "rejected"


def test_duplicate_is_a_conflict(client, ubl, supplier, office):
    """The same invoice sent twice gives 409 pointing at the first one."""
    headers = _headers(supplier)
    first = _post(client, ubl, headers).json()
    response = _post(client, ubl, headers)
    assert response.status_code == 409
    assert response.json()["duplicate_of"] == first["id"] and response.json()["rules"] == ["DUPLICATE"]


def test_token_without_organisation_or_scope_is_refused(client, ubl, office):
    """Only organisation tokens with the einvoice:submit scope may submit."""
    loner = User.objects.create_user(username="ohne-org", kind=User.Kind.CITIZEN)
    assert _post(client, ubl, _headers(loner)).status_code == 403
    supplier = make_supplier()
    response = _post(client, ubl, _headers(supplier, scopes=("efile:read",)))
    assert response.status_code == 403 and response["Content-Type"].startswith(PROBLEM)
    assert not InboundInvoice.objects.exists()


def test_other_suppliers_cannot_read_the_status(client, ubl, supplier, office):
    """Another organisation gets 404 for an invoice it did not submit."""
    created = _post(client, ubl, _headers(supplier)).json()
    other = make_supplier("Konkurrenz AG")
    assert client.get(f"/api/v1/einvoices/{created['id']}", headers=_headers(other)).status_code == 404


def test_large_bodies_get_a_clear_answer(client, ubl, supplier, office):
    """Over 15 MB: 413 with SIZE-LIMIT, nothing stored; 6 MB (above the 5 MB form limit) is still read."""
    headers = _headers(supplier)
    too_large = _post(client, b"<a>" + b" " * (16 * 1024 * 1024) + b"</a>", headers)
    assert too_large.status_code == 413 and too_large.json()["rules"] == ["SIZE-LIMIT"]
    assert not InboundInvoice.objects.exists()
    big = _post(client, b"<a>" + b" " * (6 * 1024 * 1024) + b"</a>", headers)
    assert big.status_code == 422 and big.json()["rules"] == ["NO-SCENARIO"]


def test_empty_body_is_a_problem(client, supplier, office):
    """An empty request body is refused with a problem document, not a crash."""
    response = _post(client, b"", _headers(supplier))
    assert response.status_code in (400, 422) and response["Content-Type"].startswith(PROBLEM)
    assert "leer" in response.json()["detail"]
