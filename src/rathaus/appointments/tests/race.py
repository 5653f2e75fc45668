"""Threads, each with its own database connection, meet at a barrier and book at once.

Used by ``test_concurrency.py`` and ``test_lapse_boundary.py``: in-process on PostgreSQL, and in a
child process on a file SQLite database (the test database is in memory and shared-cache there,
where threads cannot write concurrently at all).

- ``race``: many threads reserve the same start
  (``python -m rathaus.appointments.tests.race OFFICE SERVICE START THREADS NOW``);
- ``lapse_race``: at the moment holds lapse, their owners act (confirm by the e-mail link just
  before, or cancel or give their details just after) while others reserve the same units just
  after (``python -m rathaus.appointments.tests.race lapse MODE OFFICE SERVICE ROUNDS PAIRS``).

Both print the outcome as JSON.
"""

from __future__ import annotations

import datetime
import json
import sys
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

SECOND = datetime.timedelta(seconds=1)
# The owner's action, and its time relative to the end of the hold; the others reserve 1 s after it.
LAPSE_MODES = {"verify": -SECOND, "cancel": SECOND, "preconfirm": SECOND}


def _meet(actions: list[Callable[[], str]]) -> list[str]:
    """Run each action in its own thread, started together at a barrier; their outcomes in order."""
    from django.db import connection

    outcomes = [""] * len(actions)
    barrier = threading.Barrier(len(actions))

    def one(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = actions[index]()
        except Exception as error:  # reported, makes the test fail
            outcomes[index] = f"error:{type(error).__name__}:{error}"
        finally:
            connection.close()

    workers = [threading.Thread(target=one, args=(n,)) for n in range(len(actions))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return outcomes


def race(
    *, office_id: int, service_id: int, start: datetime.datetime, threads: int, now: datetime.datetime
) -> dict[str, int]:
    from rathaus.appointments import services
    from rathaus.directory.models import Office, Service
    from rathaus.kernel.exceptions import Conflict

    office = Office.objects.get(pk=office_id)
    service = Service.objects.get(pk=service_id)

    def reserve() -> str:
        try:
            services.appointment_reserve(office=office, services=[service], start=start, now=now)
        except Conflict:
            return "conflict"
        return "booked"

    return dict(Counter(_meet([reserve] * threads)))


def _owner_action(mode: str, appointment: Any, now: datetime.datetime) -> Callable[[], str]:
    """What the owner of a hold does at ``now``; returns the outcome (or the refusal's code)."""
    from rathaus.appointments import services, tokens
    from rathaus.kernel.exceptions import RathausError

    token = tokens.verify_token(appointment) if mode == "verify" else ""

    def act() -> str:
        try:
            if mode == "verify":
                services.appointment_verify(token=token, now=now)
            elif mode == "cancel":
                services.appointment_cancel(appointment=appointment, now=now)
            else:
                services.appointment_preconfirm(
                    appointment=appointment, name="Berta Lapse", email="berta@example.org", now=now
                )
        except RathausError as refusal:
            return refusal.code
        return {"verify": "confirmed", "cancel": "cancelled", "preconfirm": "preconfirmed"}[mode]

    return act


def _holds(mode: str, office: Any, service: Any, starts: list[datetime.datetime], now: datetime.datetime):
    """One hold per start, made at ``now``: preconfirmed (waiting for the link) for ``verify``,
    else only reserved. Returns the holds and the moment they lapse."""
    from rathaus.appointments import services

    holds = []
    for n, start in enumerate(starts):
        hold, _token = services.appointment_reserve(office=office, services=[service], start=start, now=now)
        if mode == "verify":
            email = f"lapse-{start:%m%d%H%M}-{n}@example.org"
            hold = services.appointment_preconfirm(appointment=hold, name="Anna Lapse", email=email, now=now)
        holds.append(hold)
    return holds, holds[0].held_until


def _live_per_unit(office: Any, at: datetime.datetime) -> tuple[int, int]:
    """(units with more than one live appointment, confirmed appointments lacking a claim of theirs)
    at ``at``: live is confirmed, or held with the hold still running."""
    from rathaus.appointments.models import Appointment, Slot

    live: Counter[int] = Counter()
    lacking = 0
    for appointment in Appointment.objects.filter(office=office, status__in=Appointment.OPEN):
        if appointment.status in Appointment.HOLDING and appointment.held_until < at:
            continue
        units = Slot.objects.filter(
            counter_id=appointment.counter_id, start__gte=appointment.start, start__lt=appointment.end
        )
        for slot in units:
            live[slot.pk] += 1
        claimed = appointment.claims.filter(slot__in=units).count()
        if appointment.status == Appointment.Status.CONFIRMED and claimed < appointment.units:
            lacking += 1
    return sum(1 for n in live.values() if n > 1), lacking


def lapse_race(
    *, mode: str, office_id: int, service_id: int, rounds: int, pairs: int, now: datetime.datetime
) -> dict[str, Any]:
    """``rounds`` times, ``pairs`` holds lapse at the same moment T (each on its own unit of an
    office with one counter): each owner acts (``mode``) at T + ``LAPSE_MODES[mode]`` while
    another citizen reserves the same unit at T + 1 s, all threads meeting at a barrier.

    Returns the pairs' outcomes ("owner/other"), the units with two live appointments and the
    confirmed appointments without their claims after the last round."""
    from rathaus.appointments import selectors, services
    from rathaus.directory.models import Office, Service
    from rathaus.kernel.exceptions import Conflict

    office = Office.objects.get(pk=office_id)
    service = Service.objects.get(pk=service_id)
    # From the next day on: still far enough ahead when the reservations come, after the holds lapsed.
    free = [
        f.start
        for f in selectors.availability(office=office, services=[service], now=now, limit=1000)
        if f.start >= now + datetime.timedelta(days=1)
    ]
    outcomes: Counter[str] = Counter()
    lapse_at = now
    for number in range(rounds):
        starts = free[number * pairs : (number + 1) * pairs]
        holds, lapse_at = _holds(mode, office, service, starts, now)

        def reserve(start: datetime.datetime, at: datetime.datetime = lapse_at + SECOND) -> str:
            try:
                services.appointment_reserve(office=office, services=[service], start=start, now=at)
            except Conflict as refusal:
                return refusal.code
            return "booked"

        owners = [_owner_action(mode, hold, lapse_at + LAPSE_MODES[mode]) for hold in holds]
        others = [lambda start=start: reserve(start) for start in starts]
        results = _meet(owners + others)
        outcomes.update(f"{a}/{b}" for a, b in zip(results[:pairs], results[pairs:], strict=True))
    double, lacking = _live_per_unit(office, lapse_at + SECOND)
    return {"outcomes": dict(outcomes), "units_live_twice": double, "confirmed_without_claims": lacking}


def main(argv: list[str]) -> None:
    import django

    django.setup()
    if argv[0] == "lapse":
        mode, office_id, service_id, rounds, pairs, now = argv[1:]
        result: dict[str, Any] = lapse_race(
            mode=mode,
            office_id=int(office_id),
            service_id=int(service_id),
            rounds=int(rounds),
            pairs=int(pairs),
            now=datetime.datetime.fromisoformat(now),
        )
    else:
        office_id, service_id, start, threads, now = argv
        result = race(
            office_id=int(office_id),
            service_id=int(service_id),
            start=datetime.datetime.fromisoformat(start),
            threads=int(threads),
            now=datetime.datetime.fromisoformat(now),
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
