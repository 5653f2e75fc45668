import pytest

from rathaus.kernel.demo import quiet_step
from rathaus.payments import demo, reconcile
from rathaus.payments.models import Claim, FeeTariff

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_its_statement_matches(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    summary = demo.load_demo(seed=5, step=quiet_step)
    assert "Gebührentarife" in summary
    counts = (FeeTariff.objects.count(), Claim.objects.count())
    demo.load_demo(seed=5, step=quiet_step)
    assert (FeeTariff.objects.count(), Claim.objects.count()) == counts
    result = reconcile.import_camt(data=(tmp_path / "demo-camt053.xml").read_bytes(), filename="demo.xml")
    assert (result.matched, result.unmatched) == (2, 1)
