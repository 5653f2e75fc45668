"""``invoices_awaiting_count``: what the staff start page counts as waiting for a clerk."""

import pytest

from rathaus.directory.models import Office
from rathaus.einvoice import selectors, workflow

from .workflow_helpers import make_staff, receive

pytestmark = pytest.mark.django_db


def test_an_accepted_invoice_waits_for_every_clerk_of_its_office(ubl, supplier, office):
    first, second = make_staff(office), make_staff(office)
    outsider = make_staff(Office.objects.create(slug="bau", name="Bauressort"))
    receive(ubl, supplier)
    assert [selectors.invoices_awaiting_count(user=u) for u in (first, second, outsider)] == [1, 1, 0]


def test_after_one_check_it_waits_only_for_the_other_pair_of_eyes(ubl, supplier, office):
    """Four eyes: whoever made the factual check cannot make the arithmetic one."""
    first, second = make_staff(office), make_staff(office)
    invoice = receive(ubl, supplier)
    invoice = workflow.invoice_approve_factual(invoice=invoice, by=first, expected_version=invoice.version)
    assert selectors.invoices_awaiting_count(user=first) == 0
    assert selectors.invoices_awaiting_count(user=second) == 1
    invoice = workflow.invoice_approve_arithmetic(
        invoice=invoice, by=second, expected_version=invoice.version
    )
    # Both checks made: the payment order waits for either of them.
    assert selectors.invoices_awaiting_count(user=first) == 1
    workflow.invoice_order_payment(invoice=invoice, by=first, expected_version=invoice.version)
    assert selectors.invoices_awaiting_count(user=second) == 0
