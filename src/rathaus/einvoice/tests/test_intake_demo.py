"""The supplier demo part: a login and three invoices, loaded once."""

import pytest

from rathaus.directory.models import Office
from rathaus.einvoice import intake_demo
from rathaus.einvoice.models import InboundInvoice
from rathaus.kernel.demo import quiet_step

pytestmark = pytest.mark.django_db


def test_demo_supplier_with_invoices_is_created_once(settings):
    Office.objects.create(slug="finanzen", name="Senatorin für Finanzen", leitweg_id="04011000-12350-85")
    first = intake_demo.load_demo(seed=1, step=quiet_step)
    invoices = InboundInvoice.objects.filter(sender__name=intake_demo.SUPPLIER_NAME)
    assert sorted(invoices.values_list("status", flat=True)) == ["accepted", "accepted", "rejected"]
    assert invoices.filter(validation_report__container="pdf", status="accepted").exists()
    assert "2 angenommene" in first
    assert "unverändert" in intake_demo.load_demo(seed=1, step=quiet_step)
    assert invoices.count() == 3
