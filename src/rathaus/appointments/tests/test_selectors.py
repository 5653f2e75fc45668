import datetime

import pytest

from rathaus.appointments import selectors, services
from rathaus.appointments.models import Slot

from .factories import NOW, local, planned_office

pytestmark = pytest.mark.django_db


def test_availability_read_in_batches_equals_the_plain_answer():
    """Enough starts that the free units are read in several batches; the result is the first free
    starts in order, the same as computing them from all units at once."""
    planned = planned_office(every_day=True, release_days=10)
    taken = local(2026, 12, 1, 10, 0)
    services.appointment_reserve(office=planned.office, services=[planned.passport], start=taken, now=NOW)
    services.appointment_reserve(office=planned.office, services=[planned.passport], start=taken, now=NOW)
    frees = selectors.availability(office=planned.office, services=[planned.passport], now=NOW, limit=700)
    starts = [f.start for f in frees]
    lower = NOW + datetime.timedelta(minutes=60)
    claimed = {taken, taken + datetime.timedelta(minutes=15)}
    units = sorted({s for s in Slot.objects.filter(office=planned.office, start__gte=lower)
                    .values_list("start", flat=True) if s not in claimed})  # fmt: skip
    step = datetime.timedelta(minutes=15)
    unit_set = set(units)
    expected = [s for s in units if s + step in unit_set][:700]
    assert len(starts) == 700
    assert starts == expected
