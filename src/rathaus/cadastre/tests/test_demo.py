import pytest

from rathaus.cadastre import demo
from rathaus.cadastre.models import Parcel
from rathaus.directory.selectors import office_by_slug
from rathaus.kernel.demo import quiet_step

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_creates_its_office():
    summary = demo.load_demo(seed=5, step=quiet_step)
    assert "Flurstücke" in summary
    assert office_by_slug(slug="geoinformation") is not None
    count = Parcel.objects.count()
    assert count == 6 * 8 * 2 + 5 * 7
    demo.load_demo(seed=5, step=quiet_step)
    assert Parcel.objects.count() == count
