import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def _earliest_queries(service) -> tuple[int, list[selectors.Free]]:
    """Queries of ``earliest_across_offices`` with a cold plan cache, and its answer."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        results = selectors.earliest_across_offices(services=[service], now=NOW)
    return len(queries), results


def test_earliest_across_offices_queries_do_not_grow_with_the_offices():
    """One office, then four: the same number of queries (plans and free units are read for all
    offices together), and the answer is each office's own first free starts, earliest office first."""
    first = planned_office(counters=1)
    one_office, results = _earliest_queries(first.certify)
    assert {f.office for f in results} == {first.office}
    others = [planned_office(counters=1) for _ in range(3)]
    # The second office's first hour is taken, so it is no longer among the earliest.
    busy = others[0]
    for minute in range(0, 60, 15):
        start = local(2026, 12, 1, 10) + datetime.timedelta(minutes=minute)
        services.appointment_reserve(office=busy.office, services=[busy.certify], start=start, now=NOW)
    four_offices, results = _earliest_queries(first.certify)
    assert four_offices == one_office
    assert one_office <= 8
    per_office = [
        selectors.availability(office=p.office, services=[first.certify], now=NOW, limit=3)
        for p in sorted([first, *others], key=lambda p: p.office.name)  # the offices' order
    ]
    per_office.sort(key=lambda frees: frees[0].start)
    assert results == [f for frees in per_office for f in frees]
    assert results[-3].office == busy.office
    assert results[-3].start == local(2026, 12, 1, 11, 0)


def test_earliest_across_offices_reads_further_batches_where_the_first_is_taken():
    """Every other unit of one office is held up to Friday: its free units are single, a visit
    needing two finds none in the first batch (24 units); the later batches give the same answer
    as that office's own availability."""
    free = planned_office(counters=1)
    busy = planned_office(counters=1)
    taken = [local(2026, 12, 1, 10) + datetime.timedelta(minutes=30 * n) for n in range(4)]
    for day in (2, 3, 4):
        taken += [local(2026, 12, day, 8) + datetime.timedelta(minutes=30 * n) for n in range(8)]
    for start in taken:
        services.appointment_reserve(office=busy.office, services=[busy.certify], start=start, now=NOW)
    with CaptureQueriesContext(connection) as queries:
        results = selectors.earliest_across_offices(services=[busy.passport], now=NOW)
    assert sum('FROM "appointments_slot"' in q["sql"] for q in queries.captured_queries) == 2  # two rounds
    at_busy = [f for f in results if f.office == busy.office]
    # Monday 7 December is the first day with two free units in a row.
    assert [f.start for f in at_busy] == [local(2026, 12, 7, 8, 0), local(2026, 12, 7, 8, 15),
                                          local(2026, 12, 7, 8, 30)]  # fmt: skip
    assert at_busy == selectors.availability(office=busy.office, services=[busy.passport], now=NOW, limit=3)
    assert results[0].office == free.office


def _per_office(planned_offices, service, now) -> list[selectors.Free]:
    per_office = [
        frees
        for p in sorted(planned_offices, key=lambda p: p.office.name)
        if (frees := selectors.availability(office=p.office, services=[service], now=now, limit=3))
    ]
    per_office.sort(key=lambda frees: frees[0].start)
    return [f for frees in per_office for f in frees]


def test_across_offices_a_lapsed_hold_is_free_again_and_inactive_counters_offer_nothing():
    """The all-offices search reads its batches with one SQL statement of its own: it must see
    what the single-office search sees — a hold is taken until it lapses, then free again; an
    office whose counters are all inactive has nothing."""
    from rathaus.appointments.models import Counter

    held, other, closed = planned_office(counters=1), planned_office(counters=1), planned_office(counters=1)
    Counter.objects.filter(office=closed.office).update(active=False)
    first = local(2026, 12, 1, 10, 30)  # among the first three starts, then and after the lapse
    services.appointment_reserve(office=held.office, services=[held.certify], start=first, now=NOW)
    everyone = [held, other, closed]
    while_held = selectors.earliest_across_offices(services=[held.certify], now=NOW)
    assert while_held == _per_office(everyone, held.certify, NOW)
    assert first not in [f.start for f in while_held if f.office == held.office]
    assert closed.office not in {f.office for f in while_held}
    lapsed = NOW + datetime.timedelta(minutes=11)  # hold_minutes=10
    after = selectors.earliest_across_offices(services=[held.certify], now=lapsed)
    assert after == _per_office(everyone, held.certify, lapsed)
    assert first in [f.start for f in after if f.office == held.office]


def test_the_offices_offering_a_service_follow_a_planning_change_at_once(django_capture_on_commit_callbacks):
    """``offices_for_services`` is cached, and every planning change (on commit) makes it read again."""
    with django_capture_on_commit_callbacks(execute=True):
        first = planned_office(counters=1)
    assert selectors.offices_for_services([first.passport]) == [first.office]
    with django_capture_on_commit_callbacks(execute=True):
        second = planned_office(counters=1)
    assert set(selectors.offices_for_services([first.passport])) == {first.office, second.office}
    with django_capture_on_commit_callbacks(execute=True):
        services.offer_upsert(office=second.office, service=first.passport, duration_minutes=15, active=False)
    assert selectors.offices_for_services([first.passport]) == [first.office]
    assert set(selectors.offices_for_services([first.certify])) == {first.office, second.office}


def test_the_live_answer_across_offices_is_cached_until_a_booking_commits(
    django_capture_on_commit_callbacks,
):
    """Asked again, the answer comes from the cache (no query of the free units); a reservation
    anywhere renews the stamp on commit, and the next answer no longer offers the start taken."""
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        office = planned_office(counters=1)  # units for 30 days from NOW: beyond today's date
    first = selectors.earliest_across_offices(services=[office.certify])
    assert first
    with CaptureQueriesContext(connection) as queries:
        again = selectors.earliest_across_offices(services=[office.certify])
    assert again == first
    assert not any('"appointments_slot"' in q["sql"] for q in queries.captured_queries)
    taken = first[0].start
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_reserve(
            office=office.office, services=[office.certify], start=taken, now=timezone.now()
        )
    after = selectors.earliest_across_offices(services=[office.certify])
    assert after and taken not in [f.start for f in after]
