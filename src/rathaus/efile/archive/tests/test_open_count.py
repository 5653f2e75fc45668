"""``open_disposal_count``: the Aussonderungen still in progress for the staff start page."""

import pytest

from rathaus.efile.archive import selectors, services
from rathaus.efile.archive.models import Disposal

pytestmark = pytest.mark.django_db


def test_an_offer_counts_for_the_office_and_the_archive_until_it_is_completed(world):
    disposal = services.disposal_offer(office=world.office, archive=world.archive, today=world.today)
    counts = [selectors.open_disposal_count(u) for u in (world.clerk, world.archivist, world.other_clerk)]
    assert counts == [1, 1, 0]
    Disposal.objects.filter(pk=disposal.pk).update(state=Disposal.State.COMPLETED)
    assert selectors.open_disposal_count(world.clerk) == 0
