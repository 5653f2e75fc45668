"""The demo part: an archivist login and one offered process; a second run changes nothing."""

import pytest

from rathaus.accounts.models import User
from rathaus.directory.models import Office
from rathaus.efile.archive.demo import ARCHIVIST, load_demo
from rathaus.efile.archive.models import Disposal
from rathaus.efile.demo import demo_file_plan
from rathaus.kernel.demo import quiet_step

pytestmark = pytest.mark.django_db


def test_demo_offers_two_files_once():
    """Two closed demo files are offered to the Staatsarchiv; the second run is idempotent."""
    Office.objects.create(slug="buergeramt-mitte", name="Bürgeramt Mitte")
    Office.objects.create(slug="landesarchiv", name="Staatsarchiv Bremen", kind=Office.Kind.ARCHIVE)
    demo_file_plan()
    assert "2 Akten" in load_demo(seed=1, step=quiet_step)
    assert "unverändert" in load_demo(seed=1, step=quiet_step)
    assert Disposal.objects.get().items.count() == 2
    assert User.objects.filter(username=ARCHIVIST, staff_roles__office__slug="landesarchiv").exists()
