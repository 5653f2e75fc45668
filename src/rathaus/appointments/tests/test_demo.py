import pytest

from rathaus.appointments.demo import load_demo
from rathaus.appointments.models import Appointment, OfficePlan
from rathaus.kernel.demo import quiet_step
from rathaus.registers.demo.city import demo_offices_ensure

pytestmark = pytest.mark.django_db


def test_demo_plans_offices_books_and_is_idempotent():
    demo_offices_ensure()
    first = load_demo(seed=1, step=quiet_step)
    assert "3 Dienststellen neu geplant" in first
    assert OfficePlan.objects.count() == 3
    booked = Appointment.objects.filter(status=Appointment.Status.CONFIRMED).count()
    assert booked == 6
    assert Appointment.objects.filter(kind=Appointment.Kind.WALK_IN).count() == 3
    second = load_demo(seed=1, step=quiet_step)
    assert "0 Dienststellen neu geplant" in second
    assert Appointment.objects.count() == 6 + 3


def test_demo_without_offices_is_skipped():
    assert "übersprungen" in load_demo(seed=1, step=quiet_step)
