"""Planning changes, in the admin and through the services: audited, and the cached plan is
dropped only once the change has committed (issue 12, item 5)."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from rathaus.accounts.models import User
from rathaus.appointments import selectors, services
from rathaus.appointments.models import OfferedService, OfficePlan, OpeningException, Slot
from rathaus.kernel import audit
from rathaus.kernel.exceptions import Conflict
from rathaus.kernel.testing import log_in_staff

from .factories import NOW, local, planned_office

pytestmark = pytest.mark.django_db

# A Wednesday with free units in the factory's plan (released from NOW on).
WEDNESDAY = datetime.date(2026, 12, 9)


@pytest.fixture
def planned():
    return planned_office()


@pytest.fixture
def planner(client):
    user = User.objects.create_user(
        username="planung", kind=User.Kind.STAFF, is_staff=True, is_superuser=True
    )
    log_in_staff(client, user)
    return user


def _entries(office, action):
    return list(audit.AuditEntry.objects.filter(action=action, target_id=str(office.pk)).order_by("seq"))


def _plan_form(plan: OfficePlan, **changes) -> dict[str, str]:
    values = {
        "active": "on" if plan.active else "",
        "slot_minutes": plan.slot_minutes,
        "release_days": plan.release_days,
        "release_time": plan.release_time.strftime("%H:%M"),
        "min_lead_minutes": plan.min_lead_minutes,
        "hold_minutes": plan.hold_minutes,
        "verify_minutes": plan.verify_minutes,
        "max_open_per_person": plan.max_open_per_person,
        **changes,
    }
    return {name: str(value) for name, value in values.items() if value != ""}


def test_a_plan_changed_in_the_admin_is_audited_with_old_and_new_value(
    client, planner, planned, django_capture_on_commit_callbacks
):
    """Before: the admin saved the row itself, and nobody could tell who changed the plan."""
    # given
    plan = OfficePlan.objects.get(office=planned.office)
    url = f"/admin/appointments/officeplan/{plan.pk}/change/"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _plan_form(plan, min_lead_minutes=120))
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    [entry] = _entries(planned.office, "appointments.plan_saved")[-1:]
    assert (entry.actor_id, entry.actor_type) == (str(planner.pk), "staff")
    assert entry.details["changes"] == {"min_lead_minutes": ["60", "120"]}
    assert audit.action_label(entry.action) != entry.action
    assert selectors.plan_snapshot(planned.office).plan.min_lead_minutes == 120


def test_the_office_of_a_stored_planning_row_cannot_be_changed_in_the_admin(client, planner, planned):
    plan = OfficePlan.objects.get(office=planned.office)
    other = planned_office()
    client.post(
        f"/admin/appointments/officeplan/{plan.pk}/change/", {**_plan_form(plan), "office": other.office.pk}
    )
    assert OfficePlan.objects.get(pk=plan.pk).office == planned.office


def test_a_day_closed_in_the_admin_has_no_free_times_and_is_audited(
    client, planner, planned, django_capture_on_commit_callbacks
):
    """Before: a closure added in the admin kept the day's free units, so the search still
    offered times that the reservation then refused as "closed"."""
    # given
    day_units = Slot.objects.filter(
        office=planned.office, start__gte=local(2026, 12, 9, 0), start__lt=local(2026, 12, 10, 0)
    )
    assert day_units.exists()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/appointments/openingexception/add/",
            {"office": planned.office.pk, "day": WEDNESDAY.isoformat(), "closed": "on", "reason": "Umzug"},
        )
    # then
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not day_units.exists()
    assert (
        selectors.availability(office=planned.office, services=[planned.certify], now=NOW, day=WEDNESDAY)
        == []
    )
    [entry] = _entries(planned.office, "appointments.exception_saved")
    assert entry.actor_id == str(planner.pk)
    assert entry.details["changes"]["day"] == ["", WEDNESDAY.isoformat()]
    assert audit.action_label(entry.action) != entry.action


def test_an_offer_removed_in_the_admin_is_audited_and_no_longer_bookable(
    client, planner, planned, django_capture_on_commit_callbacks
):
    # given: the offer is in the cached plan
    assert selectors.availability(office=planned.office, services=[planned.certify], now=NOW, limit=1)
    offer = OfferedService.objects.get(office=planned.office, service=planned.certify)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/appointments/offeredservice/{offer.pk}/delete/", {"post": "yes"})
    # then
    assert not OfferedService.objects.filter(pk=offer.pk).exists()
    assert selectors.availability(office=planned.office, services=[planned.certify], now=NOW, limit=1) == []
    [entry] = _entries(planned.office, "appointments.offer_removed")
    assert entry.details["was"]["duration_minutes"] == "10"
    assert audit.action_label(entry.action) != entry.action


def test_plans_and_counters_are_switched_off_not_deleted(client, planner, planned):
    """Units and bookings hang on them; the admin offers no delete, the service refuses."""
    plan = OfficePlan.objects.get(office=planned.office)
    counter = planned.office.counters.first()
    assert client.get(f"/admin/appointments/officeplan/{plan.pk}/delete/").status_code == 403
    assert client.get(f"/admin/appointments/counter/{counter.pk}/delete/").status_code == 403
    for row in (plan, counter):
        with pytest.raises(Conflict):
            services.planning_row_delete(row=row, by=planner)
    assert OfficePlan.objects.filter(pk=plan.pk).exists() and counter.slots.exists()


def test_a_counter_added_in_the_admin_gets_its_units_at_once(
    client, planner, planned, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/appointments/counter/add/",
            {"office": planned.office.pk, "name": "Schalter 9", "active": "on"},
        )
    counter = planned.office.counters.get(name="Schalter 9")
    assert counter.slots.exists()
    [entry] = _entries(planned.office, "appointments.counter_saved")[-1:]
    assert entry.actor_id == str(planner.pk)


def test_a_removed_closure_gives_the_day_back_at_once(django_capture_on_commit_callbacks):
    """Before: the day's units came back only with the next daily run of ``rathaus appointments``."""
    # given: an office planned from today, closed on a weekday next week
    planned = planned_office(now=None)
    day = timezone.localdate() + datetime.timedelta(days=7)
    while day.weekday() >= 5 or day in selectors.holidays_for(day):  # an opening day
        day += datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.opening_exception_add(office=planned.office, day=day, reason="Inventur")
    start = selectors.day_start(day)
    day_units = Slot.objects.filter(
        office=planned.office, start__gte=start, start__lt=start + datetime.timedelta(days=1)
    )
    assert not day_units.exists()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.planning_row_delete(row=OpeningException.objects.get(office=planned.office), by=None)
    # then
    assert day_units.exists()
    assert _entries(planned.office, "appointments.exception_removed")


# --- The cached plan ------------------------------------------------------------------------


def test_after_a_planning_change_the_next_read_sees_the_new_plan(planned, django_capture_on_commit_callbacks):
    # given: the plan is cached
    assert selectors.plan_snapshot(planned.office).plan.min_lead_minutes == 60
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_upsert(office=planned.office, min_lead_minutes=120)
        services.offer_upsert(office=planned.office, service=planned.certify, duration_minutes=25)
    # then
    snapshot = selectors.plan_snapshot(planned.office)
    assert snapshot.plan.min_lead_minutes == 120
    assert snapshot.offers[planned.certify.pk].duration_minutes == 25


def test_a_rolled_back_planning_change_leaves_the_cached_plan(
    planned, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """Before: the cache was cleared inside the transaction, also when it then rolled back."""
    # given
    cached = selectors.plan_snapshot(planned.office)
    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.plan_upsert(office=planned.office, min_lead_minutes=120)
        raise RuntimeError("rolled back")
    # then: still served from the cache, unchanged
    with django_assert_num_queries(0):
        assert selectors.plan_snapshot(planned.office) == cached
    assert OfficePlan.objects.get(office=planned.office).min_lead_minutes == 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads share the in-memory SQLite test database"
)
def test_a_reader_during_a_planning_change_cannot_keep_the_old_plan_cached():
    """Before: the change dropped the cached plan before it committed; a reader on another
    connection read the old rows meanwhile and cached them, and the new plan stayed unseen
    until the cache expired."""
    planned = planned_office()
    seen: list[int] = []

    def reader() -> None:
        try:
            snapshot = selectors.plan_snapshot(planned.office)
            seen.append(snapshot.plan.min_lead_minutes)
        finally:
            connection.close()

    with transaction.atomic():
        services.plan_upsert(office=planned.office, min_lead_minutes=120)
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=30)
    assert seen == [60]  # the reader saw the committed plan of its moment
    assert selectors.plan_snapshot(planned.office).plan.min_lead_minutes == 120
